package dev.perimeter.provider.http;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP to one vendor's API, with the behaviour every remote provider needs:
 *
 * <ul>
 *   <li>a connect timeout and a per-request timeout;
 *   <li>retries of idempotent calls after a connection failure, a timeout, 429 or 5xx, with exponential backoff and
 *       full jitter, or the vendor's {@code Retry-After} when it sends one that fits within the retry budget;
 *   <li>a circuit breaker per provider that opens on a run of such failures, so a dead vendor answers fast;
 *   <li>failures mapped to {@link ProviderUnavailableException} (503 with {@code Retry-After}: try again) or {@link
 *       ProviderErrorException} (502: the vendor refused), with the vendor's own message in the detail.
 * </ul>
 *
 * Credentials are headers this class adds to every request from a supplier; they are never logged, and a vendor
 * message that echoes one is redacted.
 */
public final class VendorHttp {

    private static final Logger log = LoggerFactory.getLogger(VendorHttp.class);
    private static final Set<Integer> TRANSIENT = Set.of(408, 425, 429, 500, 502, 503, 504);
    private static final int MAX_MESSAGE = 400;

    private final String provider;
    private final HttpClient client;
    private final Settings settings;
    private final Supplier<Map<String, String>> credentials;
    private final CircuitBreaker breaker;

    /**
     * How patient to be with a vendor.
     *
     * @param connectTimeout to open a connection
     * @param requestTimeout to receive the response headers of a call that names none
     * @param maxAttempts attempts of an idempotent call, the first included
     * @param initialBackoff the first retry's backoff ceiling; it doubles per attempt, and the actual wait is random
     *     below it
     * @param maxRetryAfter the longest {@code Retry-After} honoured by waiting; a longer one ends the call with 503
     * @param breakerWindow calls the circuit breaker looks at
     * @param breakerOpenFor how long an open breaker refuses calls
     */
    public record Settings(
            Duration connectTimeout,
            Duration requestTimeout,
            int maxAttempts,
            Duration initialBackoff,
            Duration maxRetryAfter,
            int breakerWindow,
            Duration breakerOpenFor) {

        /** Defaults for a vendor's control-plane API. */
        public static Settings defaults() {
            return new Settings(
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(30),
                    3,
                    Duration.ofMillis(200),
                    Duration.ofSeconds(10),
                    20,
                    Duration.ofSeconds(30));
        }
    }

    public VendorHttp(String provider, Settings settings, Supplier<Map<String, String>> credentials) {
        this.provider = provider;
        this.settings = settings;
        this.credentials = credentials;
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.breaker = CircuitBreaker.of(
                provider,
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(settings.breakerWindow())
                        .minimumNumberOfCalls(Math.min(10, settings.breakerWindow()))
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(settings.breakerOpenFor())
                        .recordException(e -> e instanceof TransientFailure)
                        .build());
    }

    /** The provider this client speaks for. */
    public String provider() {
        return provider;
    }

    /** Sends the request and reads the whole answer: a 2xx or an accepted status; anything else throws. */
    public VendorResponse send(VendorRequest request) {
        HttpResponse<byte[]> response = call(request, HttpResponse.BodyHandlers.ofByteArray());
        return new VendorResponse(provider, response.statusCode(), response.headers(), response.body());
    }

    /**
     * Sends the request and hands the body to {@code reader} as it streams (command output). A failure before the
     * response is retried like {@link #send} when the request is idempotent; a failure while reading is not.
     */
    public <T> T stream(VendorRequest request, StreamReader<T> reader) {
        return streamWithHeaders(request, (status, headers, body) -> reader.read(status, body));
    }

    /** Like {@link #stream}, for a reader that also checks the response headers (such as the content type). */
    public <T> T streamWithHeaders(VendorRequest request, HeadersStreamReader<T> reader) {
        HttpResponse<InputStream> response = call(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            return reader.read(response.statusCode(), response.headers(), body);
        } catch (IOException e) {
            throw new ProviderUnavailableException(
                    provider, "The connection to provider '" + provider + "' broke while reading its answer", e);
        }
    }

    /** Reads a streamed body. */
    @FunctionalInterface
    public interface StreamReader<T> {
        T read(int status, InputStream body) throws IOException;
    }

    /** Reads a streamed body, given the response headers. */
    @FunctionalInterface
    public interface HeadersStreamReader<T> {
        T read(int status, java.net.http.HttpHeaders headers, InputStream body) throws IOException;
    }

    private <B> HttpResponse<B> call(VendorRequest request, HttpResponse.BodyHandler<B> handler) {
        Retry retry = Retry.of(provider, retryConfig(request));
        try {
            HttpResponse<B> response = Retry.decorateCheckedSupplier(
                            retry, () -> breaker.executeCheckedSupplier(() -> attempt(request, handler)))
                    .get();
            return checked(request, response);
        } catch (TransientFailure e) {
            throw new ProviderUnavailableException(provider, e.getMessage(), e.retryAfterSeconds(), e);
        } catch (CallNotPermittedException e) {
            throw new ProviderUnavailableException(
                    provider,
                    "Provider '" + provider + "' is failing; calls are paused for "
                            + settings.breakerOpenFor().toSeconds() + " s",
                    settings.breakerOpenFor().toSeconds(),
                    e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new ProviderErrorException(provider, "Call to provider '" + provider + "' failed", e);
        }
    }

    private RetryConfig retryConfig(VendorRequest request) {
        return RetryConfig.<Object>custom()
                .maxAttempts(request.idempotent() ? settings.maxAttempts() : 1)
                .retryOnException(e -> e instanceof TransientFailure failure && failure.waitable(settings))
                .intervalBiFunction((attempt, outcome) -> backoff(attempt, outcome))
                .failAfterMaxAttempts(false)
                .build();
    }

    private long backoff(int attempt, Either<Throwable, Object> outcome) {
        if (outcome.isLeft() && outcome.getLeft() instanceof TransientFailure failure && failure.retryAfter() != null) {
            return failure.retryAfter().toMillis();
        }
        long ceiling = settings.initialBackoff().toMillis() << Math.min(attempt - 1, 10);
        return ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    }

    private <B> HttpResponse<B> attempt(VendorRequest request, HttpResponse.BodyHandler<B> handler) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                .timeout(request.timeout() != null ? request.timeout() : settings.requestTimeout())
                .method(
                        request.method(),
                        request.body() == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        headers.putIfAbsent("Accept", "application/json");
        headers.putAll(credentials.get());
        headers.forEach(builder::header);
        long started = System.nanoTime();
        HttpResponse<B> response;
        try {
            response = client.send(builder.build(), handler);
        } catch (IOException e) {
            log.debug(
                    "{} {} {} failed: {}",
                    provider,
                    request.method(),
                    request.uri().getPath(),
                    e.toString());
            throw new TransientFailure(
                    "Provider '" + provider + "' did not answer " + request.method() + " "
                            + request.uri().getPath() + ": " + describe(e),
                    null,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientFailure("Interrupted while calling provider '" + provider + "'", null, e);
        }
        log.debug(
                "{} {} {} -> {} in {} ms",
                provider,
                request.method(),
                request.uri().getPath(),
                response.statusCode(),
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        if (TRANSIENT.contains(response.statusCode()) && !request.accepted().contains(response.statusCode())) {
            throw new TransientFailure(
                    "Provider '" + provider + "' answered " + response.statusCode() + ": " + message(response),
                    retryAfter(response),
                    null);
        }
        return response;
    }

    private <B> HttpResponse<B> checked(VendorRequest request, HttpResponse<B> response) {
        int status = response.statusCode();
        if ((status >= 200 && status < 300) || request.accepted().contains(status)) {
            return response;
        }
        throw new ProviderErrorException(
                provider,
                "Provider '" + provider + "' refused " + request.method() + " "
                        + request.uri().getPath() + " with " + status + ": " + message(response),
                null);
    }

    /** The vendor's message from an error body: JSON {@code message}, {@code error}, {@code error.message}, or text. */
    private String message(HttpResponse<?> response) {
        byte[] body = readAll(response.body());
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        try {
            var json = VendorResponse.JSON.readTree(body);
            for (String field : new String[] {"message", "detail", "error"}) {
                var value = json.get(field);
                if (value != null && value.isString()) {
                    text = value.asString();
                    break;
                }
                if (value != null && value.isObject() && value.get("message") != null) {
                    text = value.get("message").asString();
                    break;
                }
            }
        } catch (RuntimeException notJson) {
            // the body is text, or nothing
        }
        return redact(text.isEmpty() ? "(no message)" : text);
    }

    private String redact(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}&&[^\n\t]]", "");
        for (String secret : credentials.get().values()) {
            if (secret.length() >= 8) {
                clean = clean.replace(secret, "[redacted]");
                int space = secret.indexOf(' ');
                if (space > 0 && secret.length() - space > 8) {
                    clean = clean.replace(secret.substring(space + 1), "[redacted]");
                }
            }
        }
        return clean.length() > MAX_MESSAGE ? clean.substring(0, MAX_MESSAGE) + "…" : clean;
    }

    private static byte[] readAll(@Nullable Object body) {
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        if (body instanceof InputStream stream) {
            try (stream) {
                return stream.readNBytes(64 * 1024);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new byte[0];
    }

    private static @Nullable Duration retryAfter(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .flatMap(VendorHttp::seconds)
                .map(Duration::ofSeconds)
                .orElse(null);
    }

    private static java.util.Optional<Long> seconds(String value) {
        try {
            return java.util.Optional.of(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            try {
                var at = java.time.ZonedDateTime.parse(
                        value.strip(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
                return java.util.Optional.of(Math.max(
                        0,
                        Duration.between(java.time.Instant.now(), at.toInstant())
                                .toSeconds()));
            } catch (java.time.format.DateTimeParseException notADate) {
                return java.util.Optional.empty();
            }
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A failure worth retrying: no answer, or 408/425/429/5xx. */
    static final class TransientFailure extends RuntimeException {

        private final @Nullable Duration retryAfter;

        TransientFailure(String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
            super(message, cause, false, false);
            this.retryAfter = retryAfter;
        }

        @Nullable
        Duration retryAfter() {
            return retryAfter;
        }

        boolean waitable(Settings settings) {
            return retryAfter == null || retryAfter.compareTo(settings.maxRetryAfter()) <= 0;
        }

        long retryAfterSeconds() {
            return retryAfter == null ? 5 : Math.max(1, retryAfter.toSeconds());
        }
    }
}
