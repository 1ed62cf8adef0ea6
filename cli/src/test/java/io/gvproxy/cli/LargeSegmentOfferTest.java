package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The offer and the acceptance themselves; gvproxy's side is in {@link ApiEndpointsTest}. */
class LargeSegmentOfferTest {
    @Test
    void theOfferIsOneHeaderAfterWhatGoWrites() {
        assertEquals("POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n"
                        + "Gvproxy-Large-Segments: tcp4\r\n\r\n",
                new String(ConnectRequest.bytes("/connect", true), StandardCharsets.US_ASCII));
        assertTrue(LargeSegmentOffer.offered("tcp4"));
        assertTrue(LargeSegmentOffer.offered("tcp6, TCP4"));
        assertFalse(LargeSegmentOffer.offered("tcp6"));
        assertFalse(LargeSegmentOffer.offered(""));
        assertFalse(LargeSegmentOffer.offered(null));
    }

    @Test
    void onlyTheExactAcceptanceFrameCounts() {
        assertTrue(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(LargeSegmentOffer.acceptFrame())));
        byte[] f = LargeSegmentOffer.acceptFrame();
        f[20] ^= 1;
        assertFalse(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(f)));
        assertFalse(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(ArpFrames.requestForGateway())));
        assertFalse(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(new byte[61])));
    }

    @Test
    void theAcceptanceIsAMinimumSizeFrameOfTheLocalExperimentalEtherType() {
        byte[] f = LargeSegmentOffer.acceptFrame();
        assertEquals(60, f.length);
        assertEquals(0x88B5, ((f[12] & 0xFF) << 8) | (f[13] & 0xFF));
        for (int i = 0; i < 12; i++) {
            assertEquals(0, f[i], "MAC byte " + i);
        }
    }
}
