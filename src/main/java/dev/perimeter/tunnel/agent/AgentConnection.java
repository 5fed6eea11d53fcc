package dev.perimeter.tunnel.agent;

import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelHeads;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One WebSocket connection to Perimeter, the last handler of its Netty pipeline: it reads frames, starts an {@link
 * UpstreamCall} for each stream the relay opens and hands later frames to it. Everything a connection and its calls do
 * runs on the connection's event loop, upstream sockets included. Frames sent during one turn of the loop leave
 * together at its end, as one {@code BATCH} message when Perimeter agreed to batching, so a response that came at once
 * (head, body and end) crosses the tunnel as one message, and an SSE event is never held back.
 */
final class AgentConnection extends ChannelInboundHandlerAdapter {

    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final Upstream upstream;
    private final UpstreamCall.Reader reader = new UpstreamCall.Reader();
    private final Map<Integer, UpstreamCall> calls = new HashMap<>();
    private final List<TunnelFrame> outbound = new ArrayList<>();
    private final CompletableFuture<AgentConnection> opened = new CompletableFuture<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final CompletableFuture<String> replica = new CompletableFuture<>();
    private boolean flushScheduled;
    private @Nullable ChannelPool upstreams;
    private volatile @Nullable Channel channel;
    private volatile @Nullable String endReason;
    private volatile boolean batching;
    private volatile long lastHeardNanos = System.nanoTime();

    AgentConnection(Upstream upstream) {
        this.upstream = upstream;
    }

    /** Completes once the WebSocket handshake succeeded, or exceptionally with why it did not. */
    CompletableFuture<AgentConnection> opened() {
        return opened;
    }

    /** Completes with the reason when the connection ends. */
    CompletableFuture<String> closed() {
        return closed;
    }

    /** The replica this connection is on, as the relay announced it; {@code null} if it says nothing within {@code wait}. */
    @Nullable
    String replica(Duration wait) throws InterruptedException {
        try {
            return replica.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    Upstream upstream() {
        return upstream;
    }

    /** The pool of upstream connections served by this connection's event loop; there once the connection is up. */
    ChannelPool upstreams() {
        return java.util.Objects.requireNonNull(upstreams, "the connection is not up");
    }

    /** Whether Perimeter agreed to {@code BATCH} messages, as the upgrade response said. */
    void batching(boolean agreed) {
        batching = agreed;
    }

    boolean batching() {
        return batching;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        upstreams = upstream.pool(context.channel().eventLoop(), reader);
        channel = context.channel();
        super.channelActive(context);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            lastHeardNanos = System.nanoTime();
            opened.complete(this);
        } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            opened.completeExceptionally(new IOException("the WebSocket handshake timed out"));
            context.close();
        }
        super.userEventTriggered(context, event);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        try {
            lastHeardNanos = System.nanoTime();
            if (message instanceof BinaryWebSocketFrame binary) {
                List<TunnelFrame> frames;
                try {
                    frames = TunnelFrame.decodeAll(binary.content().nioBuffer());
                } catch (IllegalArgumentException e) {
                    abort("malformed frame");
                    return;
                }
                received(frames);
            } else if (message instanceof CloseWebSocketFrame close) {
                String reason = close.reasonText();
                ended("closed by Perimeter (" + close.statusCode() + (reason.isEmpty() ? "" : " " + reason) + ")");
                context.close();
            } else if (message instanceof TextWebSocketFrame) {
                abort("text frames are not part of the protocol");
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    /** Frames that came in one message: pings are answered, and each stream is handed its frames together. */
    private void received(List<TunnelFrame> frames) {
        for (TunnelFrame frame : frames) {
            if (frame.type() == TunnelFrame.Type.PING) {
                String announced = frame.announcedReplica();
                if (announced != null) {
                    replica.complete(announced);
                }
                send(new TunnelFrame(TunnelFrame.Type.PONG, 0, frame.payload()));
            }
        }
        TunnelFrame.byStream(frames).forEach(this::receivedForStream);
    }

    private void receivedForStream(List<TunnelFrame> frames) {
        TunnelFrame first = frames.getFirst();
        if (first.type() != TunnelFrame.Type.HEAD) {
            UpstreamCall call = calls.get(first.streamId());
            if (call != null) {
                call.received(frames);
            }
            return;
        }
        if (calls.containsKey(first.streamId())) {
            return;
        }
        TunnelHeads.Request head;
        try {
            head = TunnelHeads.decodeRequest(first.payload());
        } catch (IllegalArgumentException e) {
            send(TunnelFrame.reset(first.streamId(), "malformed request head"));
            return;
        }
        UpstreamCall call = new UpstreamCall(this, first.streamId(), head);
        calls.put(first.streamId(), call);
        call.start();
        if (frames.size() > 1) {
            call.received(frames.subList(1, frames.size()));
        }
    }

    /** A call is over: later frames for its stream are dropped. */
    void forget(int streamId) {
        calls.remove(streamId);
    }

    /**
     * Sends a frame at the end of this turn of the event loop, with whatever else is sent in it; callable from any
     * thread.
     */
    void send(TunnelFrame frame) {
        Channel current = channel;
        if (current == null) {
            return;
        }
        if (current.eventLoop().inEventLoop()) {
            outbound.add(frame);
            if (!flushScheduled) {
                flushScheduled = true;
                current.eventLoop().execute(this::flushOutbound);
            }
        } else {
            current.eventLoop().execute(() -> send(frame));
        }
    }

    private void flushOutbound() {
        flushScheduled = false;
        Channel current = channel;
        if (current != null && current.isActive()) {
            for (ByteBuffer message : TunnelFrame.messages(outbound, batching)) {
                current.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message)))
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
            current.flush();
        }
        outbound.clear();
    }

    /** Sends a heartbeat. */
    void ping() {
        send(new TunnelFrame(
                TunnelFrame.Type.PING,
                0,
                ByteBuffer.allocate(8).putLong(System.nanoTime()).array()));
    }

    /** Drops the connection at once, as a crash would. */
    void abort(String reason) {
        if (endReason == null) {
            endReason = reason;
        }
        Channel current = channel;
        if (current != null) {
            current.close();
        } else {
            closed.complete(reason);
        }
    }

    /** Closes the connection politely: a close frame, and the socket after a short grace. */
    void close() {
        Channel current = channel;
        if (current != null && current.isActive()) {
            if (endReason == null) {
                endReason = "agent stopping";
            }
            current.writeAndFlush(new CloseWebSocketFrame(1000, "agent stopping"));
            current.eventLoop().schedule(() -> current.close(), CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (!opened.isDone()) {
            opened.completeExceptionally(cause);
        } else if (endReason == null) {
            endReason = cause instanceof TooLongFrameException
                    ? "frame too large"
                    : cause instanceof CorruptedFrameException ? "malformed frame" : "connection failed: " + cause;
        }
        context.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        opened.completeExceptionally(new IOException("the connection closed during the WebSocket handshake"));
        String reason = endReason;
        ended(reason != null ? reason : "connection closed");
        super.channelInactive(context);
    }

    /** The connection is over: its calls are cancelled and its idle upstream connections closed. On the event loop. */
    private void ended(String reason) {
        replica.cancel(false);
        if (!closed.complete(reason)) {
            return;
        }
        List.copyOf(calls.values()).forEach(call -> call.cancel(reason));
        calls.clear();
        ChannelPool pool = upstreams;
        if (pool != null) {
            pool.close();
        }
    }
}
