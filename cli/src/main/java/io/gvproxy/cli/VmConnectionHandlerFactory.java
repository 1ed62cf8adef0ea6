package io.gvproxy.cli;

import java.io.IOException;

/** Builds the network stack for validated options; called once, before any listener is opened. */
@FunctionalInterface
public interface VmConnectionHandlerFactory {
    VmConnectionHandler create(GvproxyOptions options, LogrusLogger log) throws IOException;
}
