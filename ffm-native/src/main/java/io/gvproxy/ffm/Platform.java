package io.gvproxy.ffm;

import java.util.Locale;

/**
 * The OS and CPU this JVM runs on, as far as the native ABI is concerned. Only Linux (x86_64, aarch64) and
 * macOS (x86_64, aarch64) are known; anything else fails with a clear message at the first native use,
 * not at class loading, so that the rest of gvproxy still runs there.
 */
public record Platform(Os os, Arch arch) {
    private static final Platform CURRENT = detect(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));

    /** The running platform, or null when unknown. */
    static Platform detect(String osName, String osArch) {
        String o = osName.toLowerCase(Locale.ROOT);
        Os os = o.startsWith("linux") ? Os.LINUX : (o.startsWith("mac") || o.startsWith("darwin")) ? Os.MACOS : null;
        Arch arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> Arch.X86_64;
            case "aarch64", "arm64" -> Arch.AARCH64;
            default -> null;
        };
        return os == null || arch == null ? null : new Platform(os, arch);
    }

    /** The running platform; throws {@link UnsupportedOperationException} on an unknown OS or CPU. */
    public static Platform current() {
        return require(CURRENT, osName());
    }

    /** The running platform, which must be Linux for {@code feature}. */
    public static Platform requireLinux(String feature) {
        return requireLinux(current(), feature, osName());
    }

    static Platform require(Platform detected, String osName) {
        if (detected == null) {
            throw new UnsupportedOperationException("not supported on this OS: " + osName
                    + " (" + System.getProperty("os.arch") + ")");
        }
        return detected;
    }

    static Platform requireLinux(Platform p, String feature, String osName) {
        if (p.os != Os.LINUX) {
            throw unsupported(feature, osName);
        }
        return p;
    }

    static UnsupportedOperationException unsupported(String feature) {
        return unsupported(feature, osName());
    }

    private static UnsupportedOperationException unsupported(String feature, String osName) {
        return new UnsupportedOperationException(feature + " is not supported on this OS: " + osName);
    }

    private static String osName() {
        return System.getProperty("os.name", "");
    }

    public OsConstants constants() {
        return OsConstants.of(os);
    }

    public SockaddrUn sockaddrUn() {
        return SockaddrUn.of(os);
    }
}
