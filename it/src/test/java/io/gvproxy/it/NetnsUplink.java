package io.gvproxy.it;

import io.gvproxy.core.link.VpnkitHandshake;
import io.gvproxy.core.net.MacAddress;
import java.nio.file.Path;
import java.util.List;

/** How a {@link NetnsGuest}'s tap reaches gvproxy: the arguments of {@link TapPump} and the gvproxy flag. */
sealed interface NetnsUplink {
    List<String> pumpArguments();

    /** The gvproxy flags that open the listener this uplink connects to. */
    List<String> gvproxyFlags();

    Path socket();

    /** {@code -listen-vpnkit unix://SOCKET}: handshake with UUID, then HyperKit framing; gvproxy picks the MAC. */
    static NetnsUplink vpnkit(Path socket, String uuid) {
        return new Vpnkit(socket, uuid);
    }

    /** The VPNKit UUID upstream maps to 5a:94:ef:e4:0c:ee, the MAC of the default guest 192.168.127.2. */
    static NetnsUplink vpnkit(Path socket) {
        return new Vpnkit(socket, VpnkitHandshake.DEFAULT_UUID);
    }

    /** {@code -listen-qemu unix://SOCKET}: QEMU framing, the tap keeps MAC. */
    static NetnsUplink qemu(Path socket, MacAddress mac) {
        return new Qemu(socket, mac);
    }

    record Vpnkit(Path socket, String uuid) implements NetnsUplink {
        @Override
        public List<String> pumpArguments() {
            return List.of("vpnkit", socket.toString(), uuid);
        }

        @Override
        public List<String> gvproxyFlags() {
            return List.of("-listen-vpnkit", "unix://" + socket);
        }
    }

    record Qemu(Path socket, MacAddress mac) implements NetnsUplink {
        @Override
        public List<String> pumpArguments() {
            return List.of("qemu", socket.toString(), mac.toString());
        }

        @Override
        public List<String> gvproxyFlags() {
            return List.of("-listen-qemu", "unix://" + socket);
        }
    }
}
