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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One relayed stream: the request goes to the private MCP server with its body streamed from the tunnel, and the
 * response streams back chunk by chunk. A reset from the relay (the caller went away) cancels the upstream exchange.
 */
final class UpstreamCall {

    private static final String CORRELATION_HEADER = "X-Correlation-Id";

    private final Upstream upstream;
    private final TunnelStream stream;
    private final TunnelHeads.Request head;
    private final CountDownLatch bodyDone = new CountDownLatch(1);
    private volatile @Nullable CompletableFuture<HttpResponse<InputStream>> exchange;
    private volatile @Nullable InputStream responseBody;
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
        request.method(
                head.method(),
                hasBody
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new TunnelBody(stream, bodyDone))
                        : HttpRequest.BodyPublishers.noBody());
        Thread watcher = Thread.ofVirtual().start(this::watchForReset);
        if (!hasBody) {
            bodyDone.countDown();
        }
        try {
            CompletableFuture<HttpResponse<InputStream>> call =
                    upstream.client().sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            exchange = call;
            HttpResponse<InputStream> response = call.join();
            responseBody = response.body();
            if (cancelled) {
                response.body().close();
                return;
            }
            stream.sendHead(TunnelHeads.encode(new TunnelHeads.Response(response.statusCode(), headersOf(response))));
            copy(response.body());
            stream.sendEnd();
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
                stream.reset("the private MCP server failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.reset("agent stopping");
        } finally {
            watcher.interrupt();
        }
    }

    private void copy(InputStream body) throws IOException, InterruptedException {
        byte[] buffer = new byte[TunnelFrame.MAX_DATA];
        int n;
        while ((n = body.read(buffer)) >= 0) {
            if (n > 0) {
                stream.sendData(buffer, 0, n);
            }
        }
    }

    /** After the request body is sent, a reset is all the relay can still say: it cancels the exchange. */
    private void watchForReset() {
        try {
            bodyDone.await();
            while (true) {
                TunnelFrame frame = stream.next(1, TimeUnit.SECONDS);
                if (frame != null && frame.type() == TunnelFrame.Type.RESET) {
                    cancelled = true;
                    JsonLog.info("caller went away", "correlationId", head.correlationId(), "reason", frame.reason());
                    CompletableFuture<HttpResponse<InputStream>> call = exchange;
                    if (call != null) {
                        call.cancel(true);
                    }
                    closeQuietly();
                    return;
                }
            }
        } catch (InterruptedException | IOException e) {
            // the call finished
        }
    }

    private void closeQuietly() {
        InputStream body = responseBody;
        if (body != null) {
            try {
                body.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
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
        private final CountDownLatch done;
        private byte @Nullable [] chunk;
        private int position;
        private boolean ended;

        TunnelBody(TunnelStream stream, CountDownLatch done) {
            this.stream = stream;
            this.done = done;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            while (!ended && (chunk == null || position == chunk.length)) {
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
                        chunk = frame.payload();
                        position = 0;
                    }
                    case END -> {
                        ended = true;
                        done.countDown();
                    }
                    case RESET -> {
                        done.countDown();
                        throw new TunnelStream.ResetException(frame.reason());
                    }
                    default -> {}
                }
            }
            if (ended && (chunk == null || position == chunk.length)) {
                return -1;
            }
            int n = Math.min(length, chunk.length - position);
            System.arraycopy(chunk, position, buffer, offset, n);
            position += n;
            return n;
        }
    }
}
