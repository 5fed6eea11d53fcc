package dev.perimeter.tunnel.agent;

import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelHeads;
import dev.perimeter.tunnel.TunnelStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One relayed stream: the request goes to the private MCP server with its body streamed from the tunnel, and the
 * response streams back chunk by chunk. A reset from the relay (the caller went away) cancels the upstream exchange.
 */
final class UpstreamCall {

    private static final String CORRELATION_HEADER = "X-Correlation-Id";
    private static final int SMALL_BODY = 64 * 1024;

    private final Upstream upstream;
    private final TunnelStream stream;
    private final TunnelHeads.Request head;
    private volatile @Nullable CompletableFuture<HttpResponse<ResponseChunks>> exchange;
    private volatile @Nullable ResponseChunks responseBody;
    private volatile boolean cancelled;

    UpstreamCall(Upstream upstream, TunnelStream stream, TunnelHeads.Request head) {
        this.upstream = upstream;
        this.stream = stream;
        this.head = head;
    }

    void run() {
        long start = System.nanoTime();
        String refusal = upstream.refusal();
        if (refusal != null) {
            JsonLog.warn("upstream refused", "correlationId", head.correlationId(), "reason", refusal);
            answerProblem(502, "tunnel-upstream-refused", "The agent refuses its upstream: " + refusal);
            return;
        }
        boolean hasBody = head.method().equals("POST");
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.target(head.pathAndQuery()))
                .header(CORRELATION_HEADER, head.correlationId());
        for (TunnelHeads.Header header : head.headers()) {
            if (TunnelHeads.forwardsRequestHeader(header.name())) {
                request.header(header.name(), header.value());
            }
        }
        try {
            request.method(head.method(), hasBody ? body() : HttpRequest.BodyPublishers.noBody());
            stream.onReset(this::cancel);
            CompletableFuture<HttpResponse<ResponseChunks>> call =
                    upstream.client().sendAsync(request.build(), info -> new ResponseChunks());
            exchange = call;
            if (cancelled) {
                call.cancel(true);
            }
            HttpResponse<ResponseChunks> response = call.join();
            responseBody = response.body();
            if (cancelled) {
                response.body().close();
                return;
            }
            stream.hold();
            stream.sendHead(TunnelHeads.encode(new TunnelHeads.Response(response.statusCode(), headersOf(response))));
            copy(response.body());
            stream.sendEnd();
            stream.flush();
            JsonLog.info(
                    "relayed",
                    "correlationId",
                    head.correlationId(),
                    "method",
                    head.method(),
                    "status",
                    response.statusCode(),
                    "ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            if (!cancelled) {
                JsonLog.warn(
                        "upstream unreachable",
                        "correlationId",
                        head.correlationId(),
                        "error",
                        String.valueOf(e.getCause()));
                answerProblem(502, "tunnel-upstream-unreachable", "The private MCP server could not be reached");
            }
        } catch (TunnelStream.ResetException e) {
            JsonLog.info("stream reset", "correlationId", head.correlationId(), "reason", e.getMessage());
            closeQuietly();
        } catch (IOException e) {
            if (!cancelled) {
                JsonLog.warn(
                        "upstream failed mid-response", "correlationId", head.correlationId(), "error", e.toString());
                flushQuietly();
                stream.reset("the private MCP server failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.reset("agent stopping");
        }
    }

    /**
     * The request body: a small one (the usual JSON-RPC message) is read whole and sent with its length; a larger one
     * streams from the tunnel as it arrives, after what was read so far.
     */
    private HttpRequest.BodyPublisher body() throws IOException, InterruptedException {
        TunnelBody body = new TunnelBody(stream);
        byte[] whole = body.readUpTo(SMALL_BODY);
        return whole != null
                ? HttpRequest.BodyPublishers.ofByteArray(whole)
                : HttpRequest.BodyPublishers.ofInputStream(() -> body);
    }

    /**
     * Streams the response body. Chunks that are already here go out together with what is held (the head at first,
     * the end at last); before waiting for more, the held frames are flushed, so an SSE event is never held back.
     */
    private void copy(ResponseChunks body) throws IOException, InterruptedException {
        while (true) {
            if (!body.ready()) {
                stream.flush();
            }
            byte[] chunk = body.next();
            if (chunk == null) {
                return;
            }
            if (chunk.length > 0) {
                stream.sendData(chunk, 0, chunk.length);
            }
        }
    }

    /** The relay reset the stream (the caller went away) or the connection dropped: the exchange is cancelled. */
    private void cancel() {
        cancelled = true;
        JsonLog.info("caller went away", "correlationId", head.correlationId(), "reason", stream.failure());
        CompletableFuture<HttpResponse<ResponseChunks>> call = exchange;
        if (call != null) {
            call.cancel(true);
        }
        closeQuietly();
    }

    /** What was read before a failure still reaches the caller, so the truncation shows. */
    private void flushQuietly() {
        try {
            stream.flush();
        } catch (IOException e) {
            // the stream is gone
        }
    }

    private void closeQuietly() {
        ResponseChunks body = responseBody;
        if (body != null) {
            body.close();
        }
    }

    private static List<TunnelHeads.Header> headersOf(HttpResponse<?> response) {
        List<TunnelHeads.Header> headers = new ArrayList<>();
        response.headers().map().forEach((name, values) -> {
            if (TunnelHeads.forwardsResponseHeader(name)) {
                values.forEach(value -> headers.add(new TunnelHeads.Header(name, value)));
            }
        });
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
