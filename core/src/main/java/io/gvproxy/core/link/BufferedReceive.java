package io.gvproxy.core.link;

/**
 * A {@link Link} whose {@link Link#receive} reads ahead: it can tell whether the next frame is already buffered, so
 * its reader knows where a burst of frames ends (and flushes work it held back for the burst only then).
 */
public interface BufferedReceive {
    /** Whether the next {@link Link#receive} returns a frame without reading from the underlying channel. */
    boolean hasBufferedFrame();
}
