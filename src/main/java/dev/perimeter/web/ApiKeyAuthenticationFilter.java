package dev.perimeter.web;

import dev.perimeter.tenant.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the {@link Caller} of the API key a request presents ({@link ApiKeyAuthenticator}) into Spring Security's
 * context. An absent, unknown or revoked key leaves the request anonymous, which the authorization rules then answer
 * with 401.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private final ApiKeyAuthenticator authenticator;

    ApiKeyAuthenticationFilter(ApiKeyAuthenticator authenticator) {
        this.authenticator = authenticator;
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
        authenticator.authenticate(request).ifPresent(caller -> SecurityContextHolder.getContext()
                .setAuthentication(new CallerAuthentication(caller)));
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
