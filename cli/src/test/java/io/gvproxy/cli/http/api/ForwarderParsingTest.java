package io.gvproxy.cli.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.forward.ForwardException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Go's SplitHostPort and Atoi texts, the request decoding, and the guest policy of the forwarder endpoints. */
class ForwarderParsingTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.168.127.2|address 192.168.127.2: missing port in address",
            "a:b:c|address a:b:c: too many colons in address",
            "[::1|address [::1: missing ']' in address",
            "[::1]|address [::1]: missing port in address",
            "[::1]x:1|address [::1]x:1: missing port in address",
            "x[:1|address x[:1: unexpected '[' in address",
            "x]:1|address x]:1: unexpected ']' in address"})
    void splitHostPortErrorsAreGos(String in, String message) {
        assertEquals(message, assertThrows(ForwardException.class, () -> GoNet.splitHost(in)).getMessage());
    }

    @Test
    void emptyAddressHasNoAddressPrefix() {
        assertEquals("missing port in address",
                assertThrows(ForwardException.class, () -> GoNet.splitHost("")).getMessage());
    }

    @Test
    void remoteWithoutHostTakesTheCallersAddress() throws Exception {
        assertEquals("192.168.127.2:8080", ForwarderRoutes.fillRemote(":8080", "192.168.127.2:41000"));
        assertEquals("10.0.0.1:80", ForwarderRoutes.fillRemote("10.0.0.1:80", "192.168.127.2:41000"));
        assertEquals("address @: missing port in address", assertThrows(ForwardException.class,
                () -> ForwarderRoutes.fillRemote(":80", ForwarderRoutes.goRemoteAddr("unix:///a.sock#3")))
                .getMessage());
        assertEquals("[::1]:5", ForwarderRoutes.goRemoteAddr("::1:5"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:80", "127.9.9.9:1", "localhost:22", "[::1]:8080"})
    void loopbackIsAllowedForTheGuest(String local) {
        assertTrue(ForwarderRoutes.allowedForGuest("tcp", local));
        assertTrue(ForwarderRoutes.allowedForGuest("udp", local));
        assertFalse(ForwarderRoutes.allowedForGuest("unix", local));
    }

    @ParameterizedTest
    @ValueSource(strings = {":80", "0.0.0.0:80", "[::]:80", "10.0.0.1:80", "example.test:80", "80", "/tmp/x.sock"})
    void everythingElseIsRefusedForTheGuest(String local) {
        assertFalse(ForwarderRoutes.allowedForGuest("tcp", local));
    }

    @Test
    void requestsDecodeAsGosEncodingJson() throws Exception {
        ForwardRequestJson.Request r = ForwardRequestJson.decode(
                "{\"LOCAL\":\"a\",\"remote\":\"b\",\"Protocol\":\"udp\",\"x\":[1],\"local\":\"c\",\"remote\":null}"
                        .getBytes(StandardCharsets.UTF_8), "ExposeRequest");
        assertEquals(new ForwardRequestJson.Request("c", "b", "udp"), r);
        assertEquals("json: cannot unmarshal bool into Go struct field UnexposeRequest.protocol of type"
                        + " types.TransportProtocol",
                assertThrows(ForwardRequestJson.DecodeException.class, () -> ForwardRequestJson.decode(
                        "{\"protocol\":true}".getBytes(StandardCharsets.UTF_8), "UnexposeRequest")).getMessage());
        assertEquals("json: cannot unmarshal array into Go value of type types.ExposeRequest",
                assertThrows(ForwardRequestJson.DecodeException.class, () -> ForwardRequestJson.decode(
                        "[]".getBytes(StandardCharsets.UTF_8), "ExposeRequest")).getMessage());
        // UnexposeRequest has no remote: a remote of any type is an unknown field
        assertEquals(new ForwardRequestJson.Request("l", "", ""), ForwardRequestJson.decode(
                "{\"local\":\"l\",\"remote\":1}".getBytes(StandardCharsets.UTF_8), "UnexposeRequest"));
    }

    @Test
    void atoiAsGo() {
        assertEquals(22, TunnelRoute.goAtoi("22"));
        assertEquals(-1, TunnelRoute.goAtoi("-1"));
        assertEquals(5, TunnelRoute.goAtoi("+5"));
        assertEquals("strconv.Atoi: parsing \"\": invalid syntax",
                assertThrows(NumberFormatException.class, () -> TunnelRoute.goAtoi("")).getMessage());
        assertEquals("strconv.Atoi: parsing \"99999999999999999999\": value out of range",
                assertThrows(NumberFormatException.class, () -> TunnelRoute.goAtoi("99999999999999999999"))
                        .getMessage());
    }
}
