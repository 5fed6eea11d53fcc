package dev.perimeter.web;

import dev.perimeter.shared.LogContext;
import dev.perimeter.shared.PerimeterException;
import dev.perimeter.tenant.ApiKeyManagement;
import dev.perimeter.tenant.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * Resolves the API key a request presents into a {@link Caller}: {@code X-Perimeter-Key}, or else {@code
 * Authorization: Bearer <key>}. Spring Security's chain uses it through {@link ApiKeyAuthenticationFilter}; an
 * endpoint that answers ahead of that chain (the MCP relay) uses {@link #tenantOrRefuse} and so refuses exactly the
 * keys the chain refuses, with the same problems.
 */
@Component
public class ApiKeyAuthenticator {

    /** The header that carries the API key when {@code Authorization} belongs to someone else. */
    public static final String KEY_HEADER = "X-Perimeter-Key";

    private static final String BEARER = "Bearer ";

    private final ApiKeyManagement keys;
    private final ProblemWriter problems;
    private final Counter rejections;

    ApiKeyAuthenticator(ApiKeyManagement keys, ProblemWriter problems, MeterRegistry meters) {
        this.keys = keys;
        this.problems = problems;
        this.rejections = Counter.builder("perimeter.auth.rejections")
                .description("Bearer keys that were unknown, revoked or malformed")
                .register(meters);
    }

    /**
     * The caller whose live key the request presents. A presented key that is unknown, revoked or malformed is
     * counted in {@code perimeter.auth.rejections}; a tenant key's tenant goes into the logging context.
     */
    public Optional<Caller> authenticate(HttpServletRequest request) {
        String presented = presentedKey(request);
        if (presented == null) {
            return Optional.empty();
        }
        Optional<Caller> caller = keys.authenticate(presented.strip());
        if (caller.isEmpty()) {
            rejections.increment();
        } else if (caller.get().tenantId() != null) {
            MDC.put(LogContext.TENANT_ID, caller.get().tenantId());
        }
        return caller;
    }

    /**
     * The tenant key's caller; otherwise answers the request with the problem Spring Security's chain would (401 for
     * no live key, 403 for an admin key) and returns {@code null}.
     */
    public @Nullable Caller tenantOrRefuse(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Optional<Caller> caller = authenticate(request);
        if (caller.isEmpty()) {
            problems.write(request, response, unauthorized());
            return null;
        }
        if (caller.get().role() != Caller.Role.TENANT) {
            problems.write(request, response, forbidden(request));
            return null;
        }
        return caller.get();
    }

    /** Whether the key came in {@link #KEY_HEADER}, which leaves {@code Authorization} to the private server. */
    public static boolean keyInOwnHeader(HttpServletRequest request) {
        return request.getHeader(KEY_HEADER) != null;
    }

    private static @Nullable String presentedKey(HttpServletRequest request) {
        String key = request.getHeader(KEY_HEADER);
        if (key != null) {
            return key;
        }
        String header = request.getHeader("Authorization");
        return header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? header.substring(BEARER.length())
                : null;
    }

    static ProblemDetail unauthorized() {
        return PerimeterException.problem(
                HttpStatus.UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                "Send a live API key as 'Authorization: Bearer <key>'");
    }

    static ProblemDetail forbidden(HttpServletRequest request) {
        return PerimeterException.problem(
                HttpStatus.FORBIDDEN,
                "forbidden",
                "Forbidden",
                "This key's role may not call " + request.getMethod() + " " + request.getRequestURI());
    }
}
