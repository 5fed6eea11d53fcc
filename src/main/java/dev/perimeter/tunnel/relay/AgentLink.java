package dev.perimeter.tunnel.relay;

import dev.perimeter.tunnel.AgentGrant;
import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/**
 * One agent connection on this replica: the streams multiplexed on it and the one writer lock every frame goes
 * through. The reader (the container's WebSocket thread) only ever hands frames to streams and never blocks.
 */
final class AgentLink implements TunnelStream.Sender {

    private final String connectionId;
    private final AgentGrant grant;
    private final WebSocketSession session;
    private final RelayMetrics metrics;
    private final boolean batching;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Map<Integer, TunnelStream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger nextStreamId = new AtomicInteger(1);
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile @Nullable String closedReason;

    AgentLink(String connectionId, AgentGrant grant, WebSocketSession session, RelayMetrics metrics, boolean batching) {
        this.connectionId = connectionId;
        this.batching = batching;
        this.grant = grant;
        this.session = session;
        this.metrics = metrics;
    }

    String connectionId() {
        return connectionId;
    }

    AgentGrant grant() {
        return grant;
    }

    /** Streams in flight: the load used to pick a connection. */
    int load() {
        return streams.size();
    }

    boolean isOpen() {
        return closedReason == null && session.isOpen();
    }

    long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    /** Opens a stream towards the agent. */
    TunnelStream open() {
        int id = nextStreamId.getAndAdd(2);
        TunnelStream stream = new TunnelStream(id, this);
        streams.put(id, stream);
        String reason = closedReason;
        if (reason != null) {
            stream.connectionLost(reason);
        }
        return stream;
    }

    void forget(TunnelStream stream) {
        streams.remove(stream.id());
    }

    @Override
    public void send(TunnelFrame frame) throws IOException {
        send(List.of(frame));
    }

    /** Sends frames in order: in {@code BATCH} messages when the agent agreed to batching. */
    @Override
    public void send(List<TunnelFrame> frames) throws IOException {
        sendLock.lock();
        try {
            if (closedReason != null) {
                throw new TunnelStream.ResetException(closedReason);
            }
            for (ByteBuffer message : TunnelFrame.messages(frames, batching)) {
                session.sendMessage(new BinaryMessage(message));
            }
        } finally {
            sendLock.unlock();
        }
        for (TunnelFrame frame : frames) {
            if (frame.type() == TunnelFrame.Type.DATA) {
                metrics.bytes("to-agent", frame.payload().length);
            }
        }
    }

    /**
     * Frames from the agent that came in one message. A stream's frames are handed over together, so its thread
     * wakes once and finds a short answer whole.
     */
    void received(List<TunnelFrame> frames) {
        lastHeardNanos = System.nanoTime();
        for (TunnelFrame frame : frames) {
            if (frame.type() == TunnelFrame.Type.PING) {
                replyTo(frame);
            }
        }
        for (List<TunnelFrame> ofStream : TunnelFrame.byStream(frames)) {
            TunnelStream stream = streams.get(ofStream.getFirst().streamId());
            if (stream != null) {
                for (TunnelFrame frame : ofStream) {
                    if (frame.type() == TunnelFrame.Type.DATA) {
                        metrics.bytes("from-agent", frame.payload().length);
                    }
                }
                stream.deliver(ofStream);
            }
        }
    }

    private void replyTo(TunnelFrame ping) {
        Thread.ofVirtual().start(() -> {
            try {
                send(new TunnelFrame(TunnelFrame.Type.PONG, 0, ping.payload()));
            } catch (IOException | RuntimeException e) {
                close(CloseStatus.SESSION_NOT_RELIABLE, "heartbeat reply failed");
            }
        });
    }

    /** Closes the connection and fails its streams; safe to call more than once. */
    void close(CloseStatus status, String reason) {
        lost(reason);
        try {
            session.close(status.withReason(reason));
        } catch (IOException | RuntimeException e) {
            // already closed
        }
    }

    /** The connection is gone: every stream on it ends with a reset. */
    void lost(String reason) {
        if (closedReason == null) {
            closedReason = reason;
        }
        streams.values().forEach(stream -> stream.connectionLost(reason));
    }
}
