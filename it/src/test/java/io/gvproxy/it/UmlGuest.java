package io.gvproxy.it;

import java.nio.file.Path;
import java.util.List;

/**
 * A User-Mode Linux guest (Debian's linux.uml) booted from the same rig initramfs, its NIC a vector
 * interface with the BESS transport: one SOCK_SEQPACKET message per frame to gvproxy's
 * {@code -listen-bess unixpacket://} socket. The NIC is {@code vec0}, not eth0, so checks get
 * {@code rig.if=vec0}; the rig's virtio modules do not load into this kernel, which is harmless
 * (the vector driver is built in). The console goes to stdout ({@code con0=null,fd:1}), a pipe:
 * on a regular file UML logs {@code epollctl add err}. UML needs no KVM.
 */
final class UmlGuest {
    static final String INTERFACE = "vec0";

    private UmlGuest() {
    }

    /** The spec's checks with {@code rig.if} set to UML's interface. */
    static GuestSpec onVec0(GuestSpec spec) {
        return spec.param("if", INTERFACE);
    }

    static List<String> command(Path uml, Rig rig, Path bessSocket, GuestSpec spec) {
        return List.of(uml.toString(), "mem=256M", "initrd=" + rig.initramfs(),
                "con=null", "con0=null,fd:1",
                INTERFACE + ":transport=bess,dst=" + bessSocket + ",depth=128,gro=1,mac=" + spec.mac(),
                "quiet", "loglevel=3", "panic=-1", spec.rigParameters());
    }

    /** Boots UML and waits for it to power off (or time out). */
    static GuestResult run(Path uml, Rig rig, Path runDir, String name, Path bessSocket, GuestSpec spec) {
        return QemuGuest.run(runDir, name, spec, command(uml, rig, bessSocket, spec));
    }
}
