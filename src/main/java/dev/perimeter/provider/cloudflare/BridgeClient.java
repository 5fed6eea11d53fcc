package dev.perimeter.provider.cloudflare;

import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.http.VendorHttp;
import dev.perimeter.provider.http.VendorRequest;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.PayloadTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

/**
 * The sandbox bridge's HTTP API (Cloudflare's {@code sandbox/bridge/http-api} reference and the bridge's own
 * {@code /v1/openapi.json}), over {@link VendorHttp}. Reads, writes, deletes, persist and hydrate are safe to repeat and
 * are retried after a transient failure; exec is not.
 */
final class BridgeClient implements AutoCloseable {

    /** The bridge refuses file writes and hydrate bodies larger than this. */
    static final int MAX_BODY = 32 * 1024 * 1024;

    private static final String OCTETS = "application/octet-stream";

    private final VendorHttp http;
    private final String base;
    private final Duration startTimeout;
    private final Duration requestTimeout;
    private final Duration execGrace;
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

    BridgeClient(VendorHttp http, URI base, Duration startTimeout, Duration requestTimeout, Duration execGrace) {
        this.http = http;
        this.base = base.toString().replaceAll("/+$", "");
        this.startTimeout = startTimeout;
        this.requestTimeout = requestTimeout;
        this.execGrace = execGrace;
    }

    String provider() {
        return http.provider();
    }

    /**
     * Writes a workspace file. The first call for a sandbox name makes the bridge bind a container to it, which may
     * take a cold start: {@code starting} gives it {@code startTimeout}.
     */
    void writeFile(String id, String path, byte[] content, boolean starting) {
        if (content.length > MAX_BODY) {
            throw new PayloadTooLargeException(MAX_BODY);
        }
        VendorRequest request = VendorRequest.withBody(
                        "PUT", sandbox(id, "/file/" + BridgePaths.urlTail(path)), OCTETS, content)
                .retryable();
        http.send(tagged(starting ? request.timeout(startTimeout) : request));
    }

    /** A workspace file, up to {@code maxBytes}; empty when the bridge answers 404. */
    Optional<byte[]> readFile(String id, String path, long maxBytes) {
        VendorRequest request = VendorRequest.get(sandbox(id, "/file/" + BridgePaths.urlTail(path)))
                .header("Accept", OCTETS + ", application/json")
                .accepting(404);
        return http.stream(tagged(request), (status, body) -> {
            if (status == 404) {
                return Optional.empty();
            }
            return Optional.of(readAtMost(body, maxBytes, () -> new PayloadTooLargeException(maxBytes)));
        });
    }

    /** Whether the bridge says the sandbox's container is alive. */
    boolean running(String id) {
        JsonNode answer =
                http.send(tagged(VendorRequest.get(sandbox(id, "/running")))).json();
        JsonNode running = answer.get("running");
        if (running == null || !running.isBoolean()) {
            throw new ProviderErrorException(
                    provider(), "Provider '" + provider() + "' answered /running without a boolean 'running'", null);
        }
        return running.asBoolean();
    }

    /** Destroys the sandbox's container; the bridge answers 204 for a name it has no container for. */
    void delete(String id) {
        http.send(tagged(
                VendorRequest.delete(URI.create(base + "/v1/sandbox/" + id)).accepting(404)));
    }

    /** The workspace as a tar archive, without the {@code excluded} directory. */
    byte[] persist(String id, String excluded) {
        VendorRequest request =
                post(sandbox(id, "/persist?excludes=" + excluded)).header("Accept", OCTETS + ", application/json");
        return http.stream(
                tagged(request),
                (status, body) -> readAtMost(
                        body,
                        MAX_BODY,
                        () -> new ProviderErrorException(
                                provider(),
                                "The workspace archive is larger than the " + MAX_BODY
                                        + " bytes the bridge can restore; it was not kept",
                                null)));
    }

    /** Unpacks a tar archive into the workspace. */
    void hydrate(String id, byte[] tar) {
        VendorRequest request = VendorRequest.withBody("POST", sandbox(id, "/hydrate"), OCTETS, tar)
                .retryable();
        http.send(tagged(request.timeout(startTimeout)));
    }

    /** Asks the bridge to start its warm-pool loop, with the pool target configured in the Worker. */
    void primePool() {
        http.send(tagged(post(URI.create(base + "/v1/pool/prime"))));
    }

    /** The bridge's warm-pool statistics. */
    JsonNode poolStats() {
        return http.send(tagged(VendorRequest.get(URI.create(base + "/v1/pool/stats"))))
                .json();
    }

    /**
     * Runs a command and reads its event stream on a reader thread. However the bridge misbehaves — headers that never
     * come, a stream that stalls or dies — the call returns or throws by {@code timeout} plus the grace.
     */
    ExecResult exec(String id, byte[] body, Duration timeout, ExecReader reader) {
        Duration patience = requestTimeout.plus(timeout).plus(execGrace);
        VendorRequest request = tagged(VendorRequest.postJson(sandbox(id, "/exec"), body)
                .header("Accept", "text/event-stream")
                .timeout(patience));
        Future<ExecResult> reading =
                readers.submit(() -> http.stream(request, (status, stream) -> reader.read(stream)));
        try {
            return reading.get(patience.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reading.cancel(true);
            throw new ProviderUnavailableException(
                    provider(),
                    "Provider '" + provider() + "' sent no exit event within " + patience.toSeconds()
                            + " s; the exec stream was abandoned",
                    e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new ProviderErrorException(provider(), "Exec on provider '" + provider() + "' failed", e.getCause());
        } catch (InterruptedException e) {
            reading.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException(provider(), "Interrupted while a command ran", e);
        }
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }

    private URI sandbox(String id, String tail) {
        return URI.create(base + "/v1/sandbox/" + id + tail);
    }

    /** A {@code POST} without a body that is safe to repeat. */
    private static VendorRequest post(URI uri) {
        return new VendorRequest("POST", uri, java.util.Map.of(), null, true, java.util.Set.of(), null);
    }

    private static VendorRequest tagged(VendorRequest request) {
        String correlationId = MDC.get(CorrelationId.KEY);
        return correlationId == null ? request : request.header(CorrelationId.HEADER, correlationId);
    }

    private static byte[] readAtMost(
            InputStream body, long maxBytes, java.util.function.Supplier<RuntimeException> tooLarge)
            throws IOException {
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, maxBytes);
        byte[] bytes = body.readNBytes(limit + 1);
        if (bytes.length > limit) {
            throw tooLarge.get();
        }
        return bytes;
    }
}
