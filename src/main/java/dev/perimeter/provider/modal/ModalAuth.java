package dev.perimeter.provider.modal;

import dev.perimeter.provider.modal.api.AuthTokenGetRequest;
import dev.perimeter.provider.modal.api.ModalClientGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The metadata Modal's SDKs send on every control-plane call: client type and version, the token id and secret, and
 * the short-lived JWT from {@code AuthTokenGet} ({@code x-modal-auth-token}) on every call but {@code AuthTokenGet}
 * itself. The JWT is fetched on first use and again within five minutes of its {@code exp} (twenty minutes when it
 * has none).
 */
final class ModalAuth implements ClientInterceptor {

    static final Metadata.Key<String> CLIENT_TYPE =
            Metadata.Key.of("x-modal-client-type", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> CLIENT_VERSION =
            Metadata.Key.of("x-modal-client-version", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> LIBMODAL_VERSION =
            Metadata.Key.of("x-modal-libmodal-version", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TOKEN_ID = Metadata.Key.of("x-modal-token-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TOKEN_SECRET =
            Metadata.Key.of("x-modal-token-secret", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTH_TOKEN =
            Metadata.Key.of("x-modal-auth-token", Metadata.ASCII_STRING_MARSHALLER);

    /** There is no Java client type; this is libmodal's Go SDK, whose metadata (JWT on unary calls) we match. */
    private static final String CLIENT_TYPE_LIBMODAL_GO = "9";

    private static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);
    private static final Duration NO_EXPIRY = Duration.ofMinutes(20);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String tokenId;
    private final String tokenSecret;
    private final Clock clock;
    private @Nullable Supplier<String> fetch;
    private @Nullable String token;
    private Instant refreshAt = Instant.MIN;

    ModalAuth(String tokenId, String tokenSecret, Clock clock) {
        this.tokenId = tokenId;
        this.tokenSecret = tokenSecret;
        this.clock = clock;
    }

    /** Fetches the JWT through {@code stub} (which carries this interceptor) and {@code rpc}. */
    void fetchTokensWith(ModalRpc rpc, ModalClientGrpc.ModalClientBlockingStub stub) {
        this.fetch = () -> rpc.unary(
                        "AuthTokenGet", true, stub, s -> s.authTokenGet(AuthTokenGetRequest.getDefaultInstance()))
                .getToken();
    }

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        boolean tokenCall = "AuthTokenGet".equals(method.getBareMethodName());
        String jwt = tokenCall ? null : token();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<A> listener, Metadata headers) {
                headers.put(CLIENT_TYPE, CLIENT_TYPE_LIBMODAL_GO);
                headers.put(CLIENT_VERSION, "1.0.0");
                headers.put(LIBMODAL_VERSION, "perimeter-java/0.1.0");
                headers.put(TOKEN_ID, tokenId);
                headers.put(TOKEN_SECRET, tokenSecret);
                if (jwt != null) {
                    headers.put(AUTH_TOKEN, jwt);
                }
                super.start(listener, headers);
            }
        };
    }

    private synchronized String token() {
        Instant now = clock.instant();
        if (token == null || !now.isBefore(refreshAt)) {
            if (fetch == null) {
                throw new IllegalStateException("ModalAuth has no way to fetch a token");
            }
            String fresh = fetch.get();
            if (fresh.isBlank()) {
                throw ModalRpc.badAnswer("AuthTokenGet", "without a token");
            }
            Instant expires = expiry(fresh);
            token = fresh;
            refreshAt = expires == null ? now.plus(NO_EXPIRY).minus(REFRESH_BEFORE) : expires.minus(REFRESH_BEFORE);
        }
        return token;
    }

    /** The {@code exp} claim of a JWT, or {@code null} when it has none or is not a JWT. */
    static @Nullable Instant expiry(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return null;
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
            JsonNode exp =
                    JSON.readTree(new String(payload, StandardCharsets.UTF_8)).get("exp");
            return exp != null && exp.isNumber() ? Instant.ofEpochSecond(exp.asLong()) : null;
        } catch (RuntimeException notAJwt) {
            return null;
        }
    }
}
