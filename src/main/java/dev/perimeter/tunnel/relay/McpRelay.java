package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.PayloadTooLargeException;
import dev.perimeter.tunnel.RelayableTunnel;
import dev.perimeter.tunnel.TunnelConnections;
import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelHeads;
import dev.perimeter.tunnel.TunnelProperties;
import dev.perimeter.tunnel.TunnelStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relays one MCP call through the tunnel: over a connection this replica holds, or to the replica holding one. The
 * request body streams to the agent while the response streams back, each flushed chunk by chunk, so SSE events reach
 * the caller as the private server sends them and no body is ever held whole.
 */
@Component
class McpRelay {

    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final LocalAgents agents;
    private final TunnelConnections connections;
    private final TunnelLimiter limiter;
    private final ReplicaForwarder forwarder;
    private final RelayMetrics metrics;
    private final long maxMessage;
    private final Duration responseTimeout;
    private final Duration queueTimeout;
    private final long keepAliveNanos;
    private final JsonMapper json;

    McpRelay(
            LocalAgents agents,
            TunnelConnections connections,
            TunnelLimiter limiter,
            ReplicaForwarder forwarder,
            RelayMetrics metrics,
            TunnelProperties properties,
            JsonMapper json) {
        this.json = json;
        this.agents = agents;
        this.connections = connections;
        this.limiter = limiter;
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.maxMessage = properties.maxMessage().toBytes();
        this.responseTimeout = properties.responseTimeout();
        this.queueTimeout = properties.queueTimeout();
        this.keepAliveNanos = properties.eventStreamKeepAlive().toNanos();
    }

    /**
     * Relays the call.
     *
     * @param forwardAuthorization whether {@code Authorization} belongs to the private server
     * @param mayForward whether the call may go on to another replica (not when it came from one)
     */
    void relay(
            RelayableTunnel tunnel,
            HttpServletRequest request,
            HttpServletResponse response,
            boolean forwardAuthorization,
            boolean mayForward)
            throws IOException, InterruptedException {
        if (request.getContentLengthLong() > maxMessage) {
            metrics.rejected("payload-too-large");
            throw new PayloadTooLargeException(maxMessage);
        }
        Runnable release;
        try {
            release = "GET".equals(request.getMethod())
                    ? limiter.acquireStream(tunnel.id())
                    : limiter.acquire(tunnel.id(), queueTimeout);
        } catch (TunnelBusyException e) {
            metrics.rejected("tunnel-busy");
            throw e;
        }
        try {
            AgentLink link = agents.pick(tunnel.id());
            if (link != null) {
                relayLocally(link, request, response, RelayedRequest.of(request, forwardAuthorization));
                return;
            }
            List<String> holders = mayForward && forwarder.enabled()
                    ? connections.replicasHolding(tunnel.id(), agents.replicaId())
                    : List.of();
            if (!holders.isEmpty()) {
                forwarder.forward(holders.getFirst(), tunnel, request, response, forwardAuthorization);
                return;
            }
            metrics.rejected("no-agent");
            throw new TunnelUnavailableException("No agent of tunnel '" + tunnel.id() + "' is connected");
        } finally {
            release.run();
        }
    }

    private void relayLocally(
            AgentLink link, HttpServletRequest request, HttpServletResponse response, TunnelHeads.Request head)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        TunnelStream stream = link.open();
        Upload upload = null;
        try {
            upload = Upload.start(stream, TunnelHeads.encode(head), request, maxMessage);
            TunnelHeads.Response answer = awaitHead(stream, upload, start);
            metrics.latency(Duration.ofNanos(System.nanoTime() - start));
            writeHead(response, answer, stream);
            pumpBody(stream, response, isEventStream(answer) ? upload : null);
        } catch (TunnelStream.ResetException e) {
            metrics.stream("agent-lost");
            throw new TunnelUnavailableException("The tunnel's agent connection closed: " + e.getMessage());
        } finally {
            link.forget(stream);
            if (upload != null) {
                upload.finish(stream, responseTimeout);
            }
        }
    }

    private TunnelHeads.Response awaitHead(TunnelStream stream, Upload upload, long start)
            throws IOException, InterruptedException {
        long deadline = start + responseTimeout.toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            TunnelFrame frame = remaining > 0 ? stream.next(remaining, TimeUnit.NANOSECONDS) : null;
            if (frame == null) {
                stream.reset("deadline exceeded");
                metrics.stream("timeout");
                throw new TunnelTimeoutException(responseTimeout);
            }
            switch (frame.type()) {
                case HEAD -> {
                    try {
                        return TunnelHeads.decodeResponse(frame.payload());
                    } catch (IllegalArgumentException e) {
                        stream.reset("malformed response head");
                        metrics.stream("protocol-error");
                        throw new TunnelUnavailableException("The tunnel's agent sent a malformed response");
                    }
                }
                case RESET -> {
                    if (upload.tooLarge()) {
                        metrics.rejected("payload-too-large");
                        throw new PayloadTooLargeException(maxMessage);
                    }
                    if (upload.clientGone()) {
                        metrics.stream("client-disconnected");
                        throw new RelayAbortedException("the caller disconnected");
                    }
                    metrics.stream("agent-lost");
                    throw new TunnelUnavailableException("The call could not be relayed: " + frame.reason());
                }
                default -> {
                    stream.reset("body before head");
                    metrics.stream("protocol-error");
                    throw new TunnelUnavailableException("The tunnel's agent sent a body before its head");
                }
            }
        }
    }

    /** Writes the head; it is flushed at once unless the body's first chunk is already here to go with it. */
    private static void writeHead(HttpServletResponse response, TunnelHeads.Response head, TunnelStream stream)
            throws IOException {
        response.setStatus(head.status());
        for (TunnelHeads.Header header : head.headers()) {
            if (TunnelHeads.forwardsResponseHeader(header.name())) {
                response.addHeader(header.name(), header.value());
            }
        }
        if (isEventStream(head)) {
            response.setHeader("X-Accel-Buffering", "no");
            response.setHeader("Cache-Control", "no-cache");
        }
        if (!stream.hasPending()) {
            response.flushBuffer();
        }
    }

    private static boolean isEventStream(TunnelHeads.Response head) {
        String type = head.header("Content-Type");
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
    }

    /**
     * Streams the response body to the caller. When the agent is lost in the middle of an event stream that answers
     * one JSON-RPC request, the caller gets that request's error as a last event: MCP clients take a dropped event
     * stream for a reconnectable one and would otherwise wait out their own timeout. A chunk is flushed unless the
     * next frame is already here, so a body that arrives with its end goes out in one write. An event stream that has
     * been quiet for the keep-alive interval, and stands between two events, gets an SSE comment.
     */
    private void pumpBody(TunnelStream stream, HttpServletResponse response, @Nullable Upload events)
            throws IOException, InterruptedException {
        OutputStream out = response.getOutputStream();
        EventBoundary boundary = events == null ? null : new EventBoundary();
        long lastWrite = System.nanoTime();
        while (true) {
            long wait = boundary == null
                    ? TimeUnit.SECONDS.toNanos(1)
                    : Math.max(
                            1, Math.min(TimeUnit.SECONDS.toNanos(1), lastWrite + keepAliveNanos - System.nanoTime()));
            TunnelFrame frame = stream.next(wait, TimeUnit.NANOSECONDS);
            if (frame == null) {
                if (boundary != null && boundary.between() && System.nanoTime() - lastWrite >= keepAliveNanos) {
                    if (!write(out, KEEP_ALIVE, true, stream)) {
                        return;
                    }
                    metrics.keepAlive();
                    lastWrite = System.nanoTime();
                }
                continue;
            }
            switch (frame.type()) {
                case DATA -> {
                    if (!write(out, frame.payload(), !stream.hasPending(), stream)) {
                        return;
                    }
                    if (boundary != null) {
                        boundary.saw(frame.payload());
                    }
                    lastWrite = System.nanoTime();
                }
                case END -> {
                    metrics.stream("completed");
                    return;
                }
                case RESET -> {
                    metrics.stream("agent-lost");
                    String error = events == null ? null : JsonRpcFailure.event(json, events.prefix(), frame.reason());
                    if (error == null) {
                        throw aborted(response, frame.reason());
                    }
                    out.write(error.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    out.flush();
                    return;
                }
                default -> {
                    stream.reset("unexpected " + frame.type());
                    metrics.stream("protocol-error");
                    throw aborted(response, "unexpected " + frame.type());
                }
            }
        }
    }

    /**
     * Cuts a response whose head is written: what is buffered goes out first, so the caller sees the status the
     * upstream gave and a truncated body even when the head is still held back (the next frame was already here).
     */
    private static RelayAbortedException aborted(HttpServletResponse response, String reason) {
        try {
            response.flushBuffer();
        } catch (IOException e) {
            // the caller has gone too
        }
        return new RelayAbortedException(reason);
    }

    /** Writes to the caller; when the caller has gone, resets the stream and answers {@code false}. */
    private boolean write(OutputStream out, byte[] bytes, boolean flush, TunnelStream stream) {
        try {
            out.write(bytes);
            if (flush) {
                out.flush();
            }
            return true;
        } catch (IOException e) {
            stream.reset("the caller disconnected");
            metrics.stream("client-disconnected");
            return false;
        }
    }

    /**
     * Sends the request head and streams the caller's body to the agent on its own thread, so a response can flow
     * while it uploads. A body whose declared length fits one frame is read on the caller's thread instead and sent
     * right behind the head, which spares a thread and a hand-off on every ordinary MCP call.
     */
    private static final class Upload {

        private static final int PREFIX = 64 * 1024;

        private final java.io.ByteArrayOutputStream prefix = new java.io.ByteArrayOutputStream();
        private @Nullable Thread thread;
        private volatile boolean tooLarge;
        private volatile boolean clientGone;

        static Upload start(TunnelStream stream, byte[] head, HttpServletRequest request, long limit)
                throws IOException, InterruptedException {
            long length = declaredLength(request);
            Upload upload = new Upload();
            if (length >= 0 && length <= TunnelFrame.MAX_DATA && length <= limit) {
                upload.inline(stream, head, request, (int) length);
                return upload;
            }
            stream.sendHead(head);
            java.io.InputStream in = request.getInputStream();
            upload.thread = Thread.ofVirtual().start(() -> upload.copy(stream, in, limit));
            return upload;
        }

        /** The body's length if the request declares it, 0 for an HTTP/1.x request without a body, else -1. */
        private static long declaredLength(HttpServletRequest request) {
            long length = request.getContentLengthLong();
            if (length < 0
                    && request.getHeader("Transfer-Encoding") == null
                    && request.getProtocol().startsWith("HTTP/1.")) {
                return 0;
            }
            return length;
        }

        private void inline(TunnelStream stream, byte[] head, HttpServletRequest request, int length)
                throws IOException, InterruptedException {
            byte[] body;
            try {
                body = request.getInputStream().readNBytes(length);
            } catch (IOException e) {
                clientGone = true;
                fail(stream, "the caller disconnected");
                return;
            }
            keep(body, body.length);
            stream.hold();
            stream.sendHead(head);
            if (body.length > 0) {
                stream.sendData(body, 0, body.length);
            }
            stream.sendEnd();
            stream.flush();
        }

        private void copy(TunnelStream stream, java.io.InputStream in, long limit) {
            byte[] buffer = new byte[TunnelFrame.MAX_DATA];
            long total = 0;
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    total += n;
                    if (total > limit) {
                        tooLarge = true;
                        fail(stream, "payload too large");
                        return;
                    }
                    keep(buffer, n);
                    stream.sendData(buffer, 0, n);
                }
                stream.sendEnd();
            } catch (TunnelStream.ResetException e) {
                // the stream is over; the response side reports why
            } catch (IOException e) {
                clientGone = true;
                fail(stream, "the caller disconnected");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void keep(byte[] buffer, int n) {
            synchronized (prefix) {
                prefix.write(buffer, 0, Math.min(n, PREFIX - prefix.size()));
            }
        }

        /** The first bytes of the request body, enough to find a JSON-RPC request's id. */
        byte[] prefix() {
            synchronized (prefix) {
                return prefix.toByteArray();
            }
        }

        private static void fail(TunnelStream stream, String reason) {
            stream.reset(reason);
            stream.connectionLost(reason);
        }

        boolean tooLarge() {
            return tooLarge;
        }

        boolean clientGone() {
            return clientGone;
        }

        /** Ends an upload the response outlived, so no thread reads the request once it is recycled. */
        void finish(TunnelStream stream, Duration wait) throws InterruptedException {
            Thread thread = this.thread;
            if (thread == null) {
                return;
            }
            if (thread.isAlive()) {
                stream.reset("the response is complete");
            }
            if (!thread.join(wait)) {
                thread.interrupt();
            }
        }
    }
}
