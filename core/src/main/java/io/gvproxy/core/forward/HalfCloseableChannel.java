package io.gvproxy.core.forward;

import java.io.IOException;
import java.nio.channels.ByteChannel;

/** A byte channel whose sending direction can be ended alone (a FIN), while reading goes on. */
public interface HalfCloseableChannel extends ByteChannel {
    void shutdownOutput() throws IOException;
}
