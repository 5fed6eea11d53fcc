package dev.perimeter.provider.modal;

import com.google.rpc.RetryInfo;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC calls to Modal with the behaviour {@code VendorHttp} gives HTTP vendors: a deadline on every call; retries of
 * idempotent unary calls after UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, INTERNAL or UNKNOWN (the codes
 * Modal's SDKs retry, plus rate limiting) with exponential backoff and full jitter, or the server's {@code RetryInfo}
 * delay when it fits the budget; one circuit breaker per provider; and failures mapped to {@link
 * ProviderUnavailableException} (503, try again) or {@link ProviderErrorException} (502, Modal refused) with Modal's
 * status description, never a credential.
 */
final class ModalRpc {

    static final String PROVIDER = "modal";

    private static final Logger log = LoggerFactory.getLogger(ModalRpc.class);
    private static final Set<Status.Code> TRANSIENT = EnumSet.of(
            Status.Code.UNAVAILABLE,
            Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.INTERNAL,
            Status.Code.UNKNOWN);
    private static final Metadata.Key<String> IDEMPOTENCY_KEY =
            Metadata.Key.of("x-idempotency-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> RETRY_ATTEMPT =
            Metadata.Key.of("x-retry-attempt", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> RETRY_DELAY =
            Metadata.Key.of("x-retry-delay", Metadata.ASCII_STRING_MARSHALLER);
    private static final int MAX_MESSAGE = 400;

    private final Settings settings;
    private final List<String> secrets;
    private final CircuitBreaker breaker;

    /**
     * How patient to be with Modal.
     *
     * @param requestTimeout the deadline of one unary call that names none
     * @param maxAttempts attempts of an idempotent call, the first included
     * @param initialBackoff the first retry's backoff ceiling
     * @param maxRetryAfter the longest server-asked delay honoured by waiting
     * @param breakerWindow calls the circuit breaker looks at
     * @param breakerOpenFor how long an open breaker refuses calls
     */
    record Settings(
            Duration requestTimeout,
            int maxAttempts,
            Duration initialBackoff,
            Duration maxRetryAfter,
            int breakerWindow,
            Duration breakerOpenFor) {}

    /** @param secrets values that must never appear in a message (tokens) */
    ModalRpc(Settings settings, List<String> secrets) {
        this.settings = settings;
        this.secrets = List.copyOf(secrets);
        this.breaker = CircuitBreaker.of(
                PROVIDER,
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(settings.breakerWindow())
                        .minimumNumberOfCalls(Math.min(10, settings.breakerWindow()))
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(settings.breakerOpenFor())
                        .recordException(ModalRpc::isTransient)
                        .build());
    }

    Settings settings() {
        return settings;
    }

    /** A control-plane unary call with the default deadline. */
    <S extends AbstractStub<S>, T> T unary(String op, boolean idempotent, S stub, Function<S, T> call) {
        return unary(op, idempotent, stub, settings.requestTimeout(), true, call);
    }

    /**
     * A unary call. Each attempt gets its own deadline; control-plane calls also carry the SDK's {@code
     * x-idempotency-key} (one per logical call), {@code x-retry-attempt} and {@code x-retry-delay}.
     */
    <S extends AbstractStub<S>, T> T unary(
            String op, boolean idempotent, S stub, Duration deadline, boolean retryHeaders, Function<S, T> call) {
        String idempotencyKey = UUID.randomUUID().toString();
        AtomicInteger attempt = new AtomicInteger();
        long[] lastDelayMillis = {0};
        Retry retry = Retry.of(PROVIDER + "-" + op, retryConfig(idempotent, lastDelayMillis));
        try {
            return Retry.decorateCheckedSupplier(
                            retry,
                            () -> breaker.executeCheckedSupplier(() -> {
                                int n = attempt.getAndIncrement();
                                S attemptStub = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
                                if (retryHeaders) {
                                    Metadata headers = new Metadata();
                                    headers.put(IDEMPOTENCY_KEY, idempotencyKey);
                                    if (n > 0) {
                                        headers.put(RETRY_ATTEMPT, Integer.toString(n));
                                        headers.put(RETRY_DELAY, Double.toString(lastDelayMillis[0] / 1000.0));
                                    }
                                    attemptStub = attemptStub.withInterceptors(
                                            MetadataUtils.newAttachHeadersInterceptor(headers));
                                }
                                return call.apply(attemptStub);
                            }))
                    .get();
        } catch (StatusRuntimeException e) {
            log.debug(
                    "Modal {} failed after {} attempt(s): {}",
                    op,
                    attempt.get(),
                    e.getStatus().getCode());
            throw failure(op, e);
        } catch (CallNotPermittedException e) {
            throw new ProviderUnavailableException(
                    PROVIDER,
                    "Provider 'modal' is failing; calls are paused for "
                            + settings.breakerOpenFor().toSeconds() + " s",
                    settings.breakerOpenFor().toSeconds(),
                    e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new ProviderErrorException(PROVIDER, "Call " + op + " to provider 'modal' failed", e);
        }
    }

    private RetryConfig retryConfig(boolean idempotent, long[] lastDelayMillis) {
        return RetryConfig.<Object>custom()
                .maxAttempts(idempotent ? settings.maxAttempts() : 1)
                .retryOnException(
                        e -> e instanceof StatusRuntimeException failure && isTransient(failure) && waitable(failure))
                .intervalBiFunction((attempt, outcome) -> lastDelayMillis[0] = backoff(attempt, outcome))
                .failAfterMaxAttempts(false)
                .build();
    }

    private boolean waitable(StatusRuntimeException failure) {
        Duration asked = retryDelay(failure);
        return asked == null || asked.compareTo(settings.maxRetryAfter()) <= 0;
    }

    private long backoff(int attempt, Either<Throwable, Object> outcome) {
        if (outcome.isLeft() && outcome.getLeft() instanceof StatusRuntimeException failure) {
            Duration asked = retryDelay(failure);
            if (asked != null) {
                return asked.toMillis();
            }
        }
        long ceiling = settings.initialBackoff().toMillis() << Math.min(attempt - 1, 10);
        return ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    }

    /** Whether the same call may succeed later. */
    static boolean isTransient(Throwable e) {
        return e instanceof StatusRuntimeException failure
                && TRANSIENT.contains(failure.getStatus().getCode());
    }

    /** Whether a call failed with that code. */
    static boolean is(StatusRuntimeException e, Status.Code code) {
        return e.getStatus().getCode() == code;
    }

    /** The delay the server asked for in a {@code google.rpc.RetryInfo} detail, if any. */
    static @Nullable Duration retryDelay(StatusRuntimeException failure) {
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        if (status == null) {
            return null;
        }
        for (com.google.protobuf.Any detail : status.getDetailsList()) {
            if (detail.is(RetryInfo.class)) {
                try {
                    com.google.protobuf.Duration delay =
                            detail.unpack(RetryInfo.class).getRetryDelay();
                    return Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
                } catch (com.google.protobuf.InvalidProtocolBufferException garbled) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The typed exception for a failed call: 503 when it may succeed later, 502 when Modal refused it. */
    RuntimeException failure(String op, StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = redact(status.getDescription());
        if (isTransient(e)) {
            Duration asked = retryDelay(e);
            long retryAfter = asked == null ? 5 : Math.max(1, (asked.toMillis() + 999) / 1000);
            String detail = status.getCode() == Status.Code.DEADLINE_EXCEEDED
                    ? "Provider 'modal' did not answer " + op + " in time"
                    : "Provider 'modal' could not serve " + op + " (" + status.getCode() + "): " + description;
            return new ProviderUnavailableException(PROVIDER, detail, retryAfter, e);
        }
        return new ProviderErrorException(
                PROVIDER, "Provider 'modal' refused " + op + " with " + status.getCode() + ": " + description, e);
    }

    /** A problem with Modal's answer itself: a field missing or a value Perimeter does not know. */
    static ProviderErrorException badAnswer(String op, String what) {
        return new ProviderErrorException(PROVIDER, "Provider 'modal' answered " + op + " " + what, null);
    }

    private String redact(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return "(no message)";
        }
        String clean = text.replaceAll("[\\p{Cntrl}&&[^\n\t]]", "").strip();
        for (String secret : secrets) {
            if (secret.length() >= 4) {
                clean = clean.replace(secret, "[redacted]");
            }
        }
        clean = clean.replaceAll("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*", "[redacted]");
        return clean.length() > MAX_MESSAGE ? clean.substring(0, MAX_MESSAGE) + "…" : clean;
    }
}
