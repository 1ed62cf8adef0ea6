package io.gvproxy.jmh.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IperfReportTest {
    @Test
    void tcpReportGivesTheReceiversRate() {
        IperfReport r = IperfReport.parse("""
                {"start":{},"end":{"sum_sent":{"bits_per_second":2.5e9},
                 "sum_received":{"bits_per_second":2.25e9,"sender":false}}}""");
        assertEquals(2.25e9, r.bitsPerSecond());
        assertEquals(0, r.lostPercent());
    }

    @Test
    void udpReportGivesTheReceiversRateAndLoss() {
        IperfReport r = IperfReport.parse("""
                {"end":{"sum":{"bits_per_second":9.4e7,"lost_percent":0.27},
                 "sum_received":{"bits_per_second":8.79e7,"lost_percent":0.266}}}""");
        assertEquals(8.79e7, r.bitsPerSecond());
        assertEquals(0.266, r.lostPercent());
    }

    @Test
    void aWarningBeforeTheJsonIsSkipped() {
        IperfReport r = IperfReport.parse("warning: something\n{\"end\":{\"sum_received\":{\"bits_per_second\":1}}}");
        assertEquals(1, r.bitsPerSecond());
    }

    @Test
    void iperfsOwnErrorIsTheMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> IperfReport.parse(
                "{\"start\":{},\"error\":\"unable to connect to server: Connection refused\"}"));
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    }

    @Test
    void outputThatIsNotJsonOrHasNoReceiverSumIsRejected() {
        assertThrows(IllegalStateException.class, () -> IperfReport.parse("iperf3: error - no such host"));
        assertThrows(IllegalStateException.class, () -> IperfReport.parse("{\"end\":{}}"));
        assertThrows(IllegalStateException.class, () -> IperfReport.parse(""));
    }
}
