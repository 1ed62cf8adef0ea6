package io.gvproxy.cli;

import java.nio.file.Path;

/** One -forward-sock/-forward-dest/-forward-user/-forward-identity group. */
public record SshForward(String socket, String dest, String user, Path identity) {
}
