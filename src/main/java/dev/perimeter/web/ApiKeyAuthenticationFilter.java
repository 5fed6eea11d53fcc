package dev.perimeter.web;

import dev.perimeter.tenant.ApiKeyManagement;
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
 * Resolves {@code Authorization: Bearer <api key>} into a {@link Caller}. An absent, unknown or revoked key leaves the
 * request anonymous, which the authorization rules then answer with 401.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private static final String BEARER = "Bearer ";

    private final ApiKeyManagement keys;

    ApiKeyAuthenticationFilter(ApiKeyManagement keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            keys.authenticate(header.substring(BEARER.length()).strip())
                    .ifPresent(caller ->
                            SecurityContextHolder.getContext().setAuthentication(new CallerAuthentication(caller)));
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
