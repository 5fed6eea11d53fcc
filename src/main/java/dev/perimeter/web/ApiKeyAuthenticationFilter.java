package dev.perimeter.web;

import dev.perimeter.shared.LogContext;
import dev.perimeter.tenant.ApiKeyManagement;
import dev.perimeter.tenant.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.MDC;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves {@code Authorization: Bearer <api key>} into a {@link Caller} and puts a tenant key's tenant in the logging
 * context. An absent, unknown or revoked key leaves the request anonymous, which the authorization rules then answer
 * with 401; a bearer key that was refused is counted in {@code perimeter.auth.rejections}. A key may come in {@code
 * X-Perimeter-Key} instead, so that a relayed MCP call keeps {@code Authorization} for the private MCP server.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private static final String BEARER = "Bearer ";

    /** The header that carries the API key when {@code Authorization} belongs to someone else. */
    static final String KEY_HEADER = "X-Perimeter-Key";

    private final ApiKeyManagement keys;
    private final Counter rejections;

    ApiKeyAuthenticationFilter(ApiKeyManagement keys, MeterRegistry meters) {
        this.keys = keys;
        this.rejections = Counter.builder("perimeter.auth.rejections")
                .description("Bearer keys that were unknown, revoked or malformed")
                .register(meters);
    }

    /** Tunnel agents and forwarding replicas present a tunnel token or the replica secret, never an API key. */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.startsWith("/internal/tunnels/") || (path.startsWith("/v1/tunnels/") && path.endsWith("/connect"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = request.getHeader(KEY_HEADER);
        String header = request.getHeader("Authorization");
        String presented = key != null
                ? key
                : header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                        ? header.substring(BEARER.length())
                        : null;
        if (presented != null) {
            Optional<Caller> caller = keys.authenticate(presented.strip());
            caller.ifPresent(
                    known -> SecurityContextHolder.getContext().setAuthentication(new CallerAuthentication(known)));
            if (caller.isEmpty()) {
                rejections.increment();
            } else if (caller.get().tenantId() != null) {
                MDC.put(LogContext.TENANT_ID, caller.get().tenantId());
            }
        }
        chain.doFilter(request, response);
    }

    /** An authenticated caller; its one authority is its role. */
    static final class CallerAuthentication extends AbstractAuthenticationToken {

        private final Caller caller;

        CallerAuthentication(Caller caller) {
            super(List.of(new SimpleGrantedAuthority("ROLE_" + caller.role().name())));
            this.caller = caller;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Caller getPrincipal() {
            return caller;
        }
    }
}
