package io.gvproxy.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Writes the "newc" cpio format the kernel unpacks as an initramfs. Written here rather than by
 * cpio(1) so that the image is byte-reproducible without root: fixed mtime, uid/gid 0, inode
 * numbers in write order, and device nodes (/dev/console) without mknod.
 */
final class CpioNewcWriter {
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;

    private static final String TRAILER = "TRAILER!!!";
    private static final long MTIME = 0;
    private final OutputStream out;
    private long written;
    private int nextInode = 1;

    CpioNewcWriter(OutputStream out) {
        this.out = out;
    }

    void directory(String path, int permissions) throws IOException {
        entry(path, S_IFDIR | permissions, 2, new byte[0], 0, 0);
    }

    void file(String path, int permissions, byte[] content) throws IOException {
        entry(path, S_IFREG | permissions, 1, content, 0, 0);
    }

    void symlink(String path, String target) throws IOException {
        entry(path, S_IFLNK | 0777, 1, target.getBytes(StandardCharsets.UTF_8), 0, 0);
    }

    void charDevice(String path, int permissions, int major, int minor) throws IOException {
        entry(path, S_IFCHR | permissions, 1, new byte[0], major, minor);
    }

    void finish() throws IOException {
        entry(TRAILER, 0, 1, new byte[0], 0, 0);
        out.flush();
    }

    private void entry(String path, int mode, int links, byte[] data, int rdevMajor, int rdevMinor)
            throws IOException {
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder("070701");
        int inode = path.equals(TRAILER) ? 0 : nextInode++;
        for (long field : new long[] {inode, mode, 0, 0, links, MTIME, data.length, 0, 0, rdevMajor, rdevMinor,
                name.length, 0}) {
            header.append(HexFormat.of().withUpperCase().toHexDigits((int) field));
        }
        write(header.toString().getBytes(StandardCharsets.US_ASCII));
        write(name);
        pad();
        write(data);
        pad();
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        written += bytes.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }
}
