package io.gvproxy.cli.notification;

import io.gvproxy.cli.LogrusLogger;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.vswitch.SwitchListener;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Upstream's {@code -notification unix://PATH}: for each event, connect to the socket, write one JSON line, close.
 * Events wait in a 100-slot queue (upstream's channel size); when it is full the event is dropped with upstream's
 * warning, so no caller ever blocks. A receiver that is absent is logged and skipped; one that accepts but stalls is
 * cut off after {@link #SEND_TIMEOUT} (upstream would wait for it forever, holding up later events).
 *
 * <p>As a {@link SwitchListener} it turns a MAC's first frame into {@code connection_established} and the removal
 * of its port into {@code connection_closed}.
 */
public final class NotificationSender implements SwitchListener, AutoCloseable {
    public static final int QUEUE_CAPACITY = 100;
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);
    /** How long {@link #close} lets queued events (a last connection_closed, say) go out. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);

    /** How often an idle sender checks whether it should stop. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final Path socket;
    private final LogrusLogger log;
    private final BlockingQueue<Notification> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread sender;
    private volatile boolean closing;

    private NotificationSender(Path socket, LogrusLogger log) {
        this.socket = socket;
        this.log = log;
        this.sender = Thread.ofVirtual().name("notification-sender").unstarted(this::sendAll);
    }

    public static NotificationSender start(Path socket, LogrusLogger log) {
        NotificationSender s = new NotificationSender(socket, log);
        s.sender.start();
        return s;
    }

    public void ready() {
        offer(new Notification(Notification.Type.READY, null));
    }

    public void hypervisorError() {
        offer(new Notification(Notification.Type.HYPERVISOR_ERROR, null));
    }

    @Override
    public void macLearned(MacAddress mac, int portId) {
        offer(new Notification(Notification.Type.CONNECTION_ESTABLISHED, mac));
    }

    @Override
    public void macForgotten(MacAddress mac, int portId) {
        offer(new Notification(Notification.Type.CONNECTION_CLOSED, mac));
    }

    private void offer(Notification n) {
        if (!queue.offer(n)) {
            log.warn("unable to send notification");
        }
    }

    private void sendAll() {
        while (true) {
            Notification n;
            try {
                n = queue.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (n != null) {
                send(n);
            } else if (closing) {
                return;
            }
        }
    }

    private void send(Notification n) {
        byte[] line = n.toJsonLine().getBytes(StandardCharsets.UTF_8);
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            log.error("cannot send notification: " + e.getMessage());
            return;
        }
        // A receiver whose backlog or buffer is full would block connect or write; the timer closes the channel,
        // which makes either fail.
        Thread timer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(SEND_TIMEOUT);
                ch.close();
            } catch (InterruptedException | IOException e) {
                // Sent in time, or closed anyway.
            }
        });
        try (ch) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (IOException e) {
            log.error("cannot send notification to " + socket + ": " + e.getMessage());
        } finally {
            timer.interrupt();
        }
    }

    /** Events still waiting to be sent. */
    public int queued() {
        return queue.size();
    }

    /** Sends what is queued (bounded in time), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            if (!sender.join(DRAIN_TIMEOUT)) {
                sender.interrupt();
                sender.join(Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
