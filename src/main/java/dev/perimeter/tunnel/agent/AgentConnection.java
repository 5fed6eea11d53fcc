package dev.perimeter.tunnel.agent;

import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelHeads;
import dev.perimeter.tunnel.TunnelStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One WebSocket connection to Perimeter: reassembles frames, starts an {@link UpstreamCall} for each stream the relay
 * opens and hands later frames to it. Frames are written one at a time, each waiting for the previous to be sent.
 */
final class AgentConnection implements WebSocket.Listener, TunnelStream.Sender {

    private final Upstream upstream;
    private final Map<Integer, TunnelStream> streams = new ConcurrentHashMap<>();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final CompletableFuture<String> replica = new CompletableFuture<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile @Nullable WebSocket socket;
    private volatile boolean batching;
    private volatile long lastHeardNanos = System.nanoTime();

    AgentConnection(Upstream upstream) {
        this.upstream = upstream;
    }

    /** Completes with the reason when the connection ends. */
    CompletableFuture<String> closed() {
        return closed;
    }

    /** The replica this connection is on, as the relay announced it; {@code null} if it says nothing within {@code wait}. */
    @Nullable
    String replica(java.time.Duration wait) throws InterruptedException {
        try {
            return replica.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        this.socket = webSocket;
        this.batching = TunnelFrame.BATCHING_PROTOCOL.equals(webSocket.getSubprotocol());
        webSocket.request(1);
    }

    @Override
    public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        lastHeardNanos = System.nanoTime();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        partial.writeBytes(bytes);
        if (partial.size() > TunnelFrame.MAX_FRAME) {
            abort("frame too large");
            return null;
        }
        if (last) {
            byte[] message = partial.toByteArray();
            partial.reset();
            try {
                received(TunnelFrame.decodeAll(ByteBuffer.wrap(message)));
            } catch (IllegalArgumentException e) {
                abort("malformed frame");
                return null;
            }
        }
        webSocket.request(1);
        return null;
    }

    /**
     * Frames that came in one message. A stream's frames are handed over together, and a new stream's call starts
     * only once they are, so a short request is whole before its thread first looks.
     */
    private void received(List<TunnelFrame> frames) {
        for (TunnelFrame frame : frames) {
            if (frame.type() == TunnelFrame.Type.PING) {
                String announced = frame.announcedReplica();
                if (announced != null) {
                    replica.complete(announced);
                }
                Thread.ofVirtual().start(() -> sendQuietly(new TunnelFrame(TunnelFrame.Type.PONG, 0, frame.payload())));
            }
        }
        TunnelFrame.byStream(frames).forEach(this::receivedForStream);
    }

    private void receivedForStream(List<TunnelFrame> frames) {
        TunnelFrame first = frames.getFirst();
        if (first.type() != TunnelFrame.Type.HEAD) {
            TunnelStream stream = streams.get(first.streamId());
            if (stream != null) {
                stream.deliver(frames);
            }
            return;
        }
        TunnelStream stream = new TunnelStream(first.streamId(), this);
        if (streams.putIfAbsent(first.streamId(), stream) != null) {
            return;
        }
        TunnelHeads.Request head;
        try {
            head = TunnelHeads.decodeRequest(first.payload());
        } catch (IllegalArgumentException e) {
            streams.remove(first.streamId());
            stream.reset("malformed request head");
            return;
        }
        if (frames.size() > 1) {
            stream.deliver(frames.subList(1, frames.size()));
        }
        Thread.ofVirtual().name("tunnel-stream-" + first.streamId()).start(() -> {
            try {
                new UpstreamCall(upstream, stream, head).run();
            } finally {
                streams.remove(stream.id());
            }
        });
    }

    @Override
    public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        abort("text frames are not part of the protocol");
        return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        ended("closed by Perimeter (" + statusCode + (reason.isEmpty() ? "" : " " + reason) + ")");
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        ended("connection failed: " + error);
    }

    @Override
    public void send(TunnelFrame frame) throws IOException {
        write(frame.encode());
    }

    /** Sends frames in order: as one {@code BATCH} message when Perimeter agreed to batching. */
    @Override
    public void send(java.util.List<TunnelFrame> frames) throws IOException {
        if (batching && frames.size() > 1) {
            write(TunnelFrame.encodeBatch(frames));
        } else {
            for (TunnelFrame frame : frames) {
                write(frame.encode());
            }
        }
    }

    private void write(ByteBuffer message) throws IOException {
        WebSocket webSocket = socket;
        if (webSocket == null || closed.isDone()) {
            throw new TunnelStream.ResetException("the connection to Perimeter is closed");
        }
        sendLock.lock();
        try {
            webSocket.sendBinary(message, true).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            abort("send failed");
            throw new TunnelStream.ResetException("the connection to Perimeter failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelStream.ResetException("interrupted");
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends a heartbeat; a failure ends the connection. */
    void ping() {
        sendQuietly(new TunnelFrame(
                TunnelFrame.Type.PING,
                0,
                ByteBuffer.allocate(8).putLong(System.nanoTime()).array()));
    }

    private void sendQuietly(TunnelFrame frame) {
        try {
            send(frame);
        } catch (IOException e) {
            abort("heartbeat failed");
        }
    }

    /** Drops the connection at once, as a crash would. */
    void abort(String reason) {
        WebSocket webSocket = socket;
        if (webSocket != null) {
            webSocket.abort();
        }
        ended(reason);
    }

    /** Closes the connection politely. */
    void close() {
        WebSocket webSocket = socket;
        if (webSocket != null) {
            webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "agent stopping").orTimeout(2, TimeUnit.SECONDS);
        }
    }

    private void ended(String reason) {
        replica.cancel(false);
        if (closed.complete(reason)) {
            streams.values().forEach(stream -> stream.connectionLost(reason));
        }
    }
}
