package io.gvproxy.cli;

/** -h or -help was given and is not a defined flag: the caller prints usage and exits 0, as Go's flag package does. */
public final class HelpRequestedException extends FlagException {
    public HelpRequestedException() {
        super("flag: help requested", 0);
    }
}
