package io.gvproxy.core.tcpip;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpStackConfigTest {
    @Test
    void mssFollowsTheMtu() {
        assertEquals(1460, TcpStackConfig.forMtu(1500).tcp().mss());
        assertEquals(8960, TcpStackConfig.forMtu(9000).tcp().mss());
        assertTrue(TcpStackConfig.forMtu(1500).verifyChecksums());
    }

    @Test
    void boundsAreChecked() {
        TcpStackConfig c = TcpStackConfig.forMtu(1500);
        assertThrows(IllegalArgumentException.class, () -> c.withLimits(0, 10));
        assertThrows(IllegalArgumentException.class, () -> c.withLimits(10, 0));
        assertThrows(IllegalArgumentException.class, () -> c.withLimits(TcpStackConfig.MAX_CONNECTIONS_LIMIT + 1, 10));
        assertThrows(IllegalArgumentException.class, () -> c.withSynOfferTimeoutNanos(0));
        assertEquals(TcpStackConfig.MAX_CONNECTIONS_LIMIT,
                c.withLimits(TcpStackConfig.MAX_CONNECTIONS_LIMIT, 10).maxConnections());
    }
}
