package dev.perimeter.tunnel.agent;

import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelHeads;
import dev.perimeter.tunnel.TunnelStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.jspecify.annotations.Nullable;

/**
 * One relayed stream: the request goes to the private MCP server with its body streamed from the tunnel, and the
 * response streams back chunk by chunk, read and sent on this call's own thread. A reset from the relay (the caller
 * went away) aborts the upstream exchange.
 */
final class UpstreamCall {

    private static final String CORRELATION_HEADER = "X-Correlation-Id";
    private static final int SMALL_BODY = 64 * 1024;

    private final Upstream upstream;
    private final TunnelStream stream;
    private final TunnelHeads.Request head;
    private volatile @Nullable HttpUriRequestBase exchange;
    private volatile boolean cancelled;

    UpstreamCall(Upstream upstream, TunnelStream stream, TunnelHeads.Request head) {
        this.upstream = upstream;
        this.stream = stream;
        this.head = head;
    }

    void run() {
        long start = System.nanoTime();
        HttpUriRequestBase request = new HttpUriRequestBase(head.method(), upstream.target(head.pathAndQuery()));
        request.addHeader(CORRELATION_HEADER, head.correlationId());
        for (TunnelHeads.Header header : head.headers()) {
            if (TunnelHeads.forwardsRequestHeader(header.name())) {
                request.addHeader(header.name(), header.value());
            }
        }
        try {
            if (head.method().equals("POST")) {
                request.setEntity(body());
            }
            exchange = request;
            stream.onReset(this::cancel);
            if (cancelled) {
                return;
            }
            boolean answered = false;
            try (ClassicHttpResponse response = upstream.client().executeOpen(null, request, null)) {
                if (cancelled) {
                    return;
                }
                stream.hold();
                stream.sendHead(TunnelHeads.encode(new TunnelHeads.Response(response.getCode(), headersOf(response))));
                answered = true;
                copy(response.getEntity());
                stream.sendEnd();
                stream.flush();
                JsonLog.info(
                        "relayed",
                        "correlationId",
                        head.correlationId(),
                        "method",
                        head.method(),
                        "status",
                        response.getCode(),
                        "ms",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } catch (TunnelStream.ResetException e) {
                throw e;
            } catch (RangeCheckingResolver.RefusedAddressException e) {
                JsonLog.warn("upstream refused", "correlationId", head.correlationId(), "reason", e.getMessage());
                answerProblem(502, "tunnel-upstream-refused", "The agent refuses its upstream: " + e.getMessage());
            } catch (IOException e) {
                if (!cancelled && !answered) {
                    JsonLog.warn("upstream unreachable", "correlationId", head.correlationId(), "error", e.toString());
                    answerProblem(502, "tunnel-upstream-unreachable", "The private MCP server could not be reached");
                } else if (!cancelled) {
                    JsonLog.warn(
                            "upstream failed mid-response",
                            "correlationId",
                            head.correlationId(),
                            "error",
                            e.toString());
                    flushQuietly();
                    stream.reset("the private MCP server failed: " + e.getMessage());
                }
            }
        } catch (TunnelStream.ResetException e) {
            JsonLog.info("stream reset", "correlationId", head.correlationId(), "reason", e.getMessage());
            request.cancel();
        } catch (IOException e) {
            if (!cancelled) {
                JsonLog.warn("request body failed", "correlationId", head.correlationId(), "error", e.toString());
                stream.reset("the request body could not be read: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.cancel();
            stream.reset("agent stopping");
        }
    }

    /**
     * The request body: a small one (the usual JSON-RPC message) is read whole and sent with its length; a larger one
     * streams from the tunnel as it arrives, chunked, after what was read so far.
     */
    private HttpEntity body() throws IOException {
        TunnelBody body = new TunnelBody(stream);
        byte[] whole = body.readUpTo(SMALL_BODY);
        return whole != null ? new ByteArrayEntity(whole, null) : new InputStreamEntity(body, -1, null);
    }

    /**
     * Streams the response body. Bytes that are already here go out together with what is held (the head at first,
     * the end at last); before a read waits for the network, the held frames are flushed ({@link UpstreamSockets}), so
     * an SSE event is never held back. A body of declared length ends when that much has come, without a read that
     * could wait.
     */
    private void copy(@Nullable HttpEntity entity) throws IOException, InterruptedException {
        if (entity == null) {
            return;
        }
        long length = entity.getContentLength();
        long copied = 0;
        byte[] buffer = new byte[TunnelFrame.MAX_DATA];
        try (InputStream in = entity.getContent();
                UpstreamSockets.Scope flushing = UpstreamSockets.flushingBeforeWaiting(stream::flush)) {
            while (copied != length) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                if (n > 0) {
                    stream.sendData(buffer, 0, n);
                    copied += n;
                }
            }
        }
    }

    /** The relay reset the stream (the caller went away) or the connection dropped: the exchange is aborted. */
    private void cancel() {
        cancelled = true;
        JsonLog.info("caller went away", "correlationId", head.correlationId(), "reason", stream.failure());
        HttpUriRequestBase request = exchange;
        if (request != null) {
            request.cancel();
        }
    }

    /** What was read before a failure still reaches the caller, so the truncation shows. */
    private void flushQuietly() {
        try {
            stream.flush();
        } catch (IOException e) {
            // the stream is gone
        }
    }

    private static List<TunnelHeads.Header> headersOf(ClassicHttpResponse response) {
        List<TunnelHeads.Header> headers = new ArrayList<>();
        for (Header header : response.getHeaders()) {
            if (TunnelHeads.forwardsResponseHeader(header.getName())) {
                headers.add(new TunnelHeads.Header(header.getName(), header.getValue()));
            }
        }
        return headers;
    }

    private void answerProblem(int status, String slug, String detail) {
        String body = "{\"type\":\"https://perimeter.dev/problems/" + slug + "\",\"title\":\"Bad gateway\",\"status\":"
                + status + ",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"correlationId\":\"" + head.correlationId() + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            stream.sendHead(TunnelHeads.encode(new TunnelHeads.Response(
                    status, List.of(new TunnelHeads.Header("Content-Type", "application/problem+json")))));
            stream.sendData(bytes, 0, bytes.length);
            stream.sendEnd();
        } catch (IOException e) {
            // the stream is gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The request body as it arrives through the tunnel. */
    private static final class TunnelBody extends InputStream {

        private final TunnelStream stream;
        private final java.util.ArrayDeque<byte[]> chunks = new java.util.ArrayDeque<>();
        private int position;
        private boolean ended;

        TunnelBody(TunnelStream stream) {
            this.stream = stream;
        }

        /** Reads ahead until the body ends or passes {@code limit} bytes: the whole body if it ended, else null. */
        byte @Nullable [] readUpTo(int limit) throws IOException {
            int size = 0;
            while (!ended && size <= limit) {
                byte[] chunk = nextChunk();
                if (chunk != null) {
                    chunks.add(chunk);
                    size += chunk.length;
                }
            }
            if (!ended) {
                return null;
            }
            java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream(size);
            chunks.forEach(whole::writeBytes);
            chunks.clear();
            return whole.toByteArray();
        }

        /** The next body chunk from the tunnel, or null at its end. */
        private byte @Nullable [] nextChunk() throws IOException {
            while (true) {
                TunnelFrame frame;
                try {
                    frame = stream.next(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                if (frame == null) {
                    continue;
                }
                switch (frame.type()) {
                    case DATA -> {
                        return frame.payload();
                    }
                    case END -> {
                        ended = true;
                        return null;
                    }
                    case RESET -> throw new TunnelStream.ResetException(frame.reason());
                    default -> {}
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            while (chunks.isEmpty() || position == chunks.peekFirst().length) {
                if (!chunks.isEmpty()) {
                    chunks.removeFirst();
                    position = 0;
                    continue;
                }
                if (ended) {
                    return -1;
                }
                byte[] chunk = nextChunk();
                if (chunk != null) {
                    chunks.add(chunk);
                }
            }
            byte[] chunk = chunks.peekFirst();
            int n = Math.min(length, chunk.length - position);
            System.arraycopy(chunk, position, buffer, offset, n);
            position += n;
            return n;
        }
    }
}
