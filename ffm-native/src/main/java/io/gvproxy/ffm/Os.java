package io.gvproxy.ffm;

/** The operating systems whose ABI this package knows. */
public enum Os {
    LINUX,
    MACOS
}
