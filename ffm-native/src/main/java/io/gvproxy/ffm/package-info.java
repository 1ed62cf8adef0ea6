/**
 * Native transports through the FFM API (no JNI): AF_UNIX SOCK_SEQPACKET ({@code unixpacket://}, for
 * {@code -listen-bess}) and SOCK_DGRAM ({@code unixgram://}, for {@code -listen-vfkit}) links, Linux tap
 * devices, and AF_VSOCK listeners and sockets; child processes with chosen fds ({@link io.gvproxy.ffm.Spawn},
 * for qemu-wrapper); plus the libc binding ({@link io.gvproxy.ffm.LibC}) and the
 * per-OS/arch struct layouts they use.
 *
 * <p>Threading: a blocking downcall keeps a virtual thread mounted on its carrier (and JFR does not report
 * it), so two blocked calls on a 2-core machine stop every other virtual thread. Every blocking method here
 * is therefore meant for platform threads: give each link a platform reader and a platform writer thread.
 *
 * <p>Closing: closing an fd does not wake a thread blocked on it (it stays blocked for good), so each class
 * wakes blocked threads first (shutdown for sockets, an eventfd polled next to tap devices and listening
 * sockets) and closes the fd only when the last thread using it has returned. Every close is idempotent.
 */
package io.gvproxy.ffm;
