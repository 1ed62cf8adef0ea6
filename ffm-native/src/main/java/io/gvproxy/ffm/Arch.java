package io.gvproxy.ffm;

/** The CPU architectures whose ABI this package knows. */
public enum Arch {
    X86_64,
    AARCH64
}
