package dev.perimeter.web;

import dev.perimeter.shared.PerimeterException;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Who may call what. Admin keys manage tenants, keys, pricing and the audit log; tenant keys drive sandboxes,
 * snapshots, tunnels and read their own usage. Neither may call the other's endpoints (403). Every 401 and 403 is an
 * RFC 9457 problem. Health probes and the API documentation are public; metrics need an admin key unless Actuator runs
 * on its own port.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final String[] PUBLIC = {
        "/actuator/health",
        "/actuator/health/**",
        "/livez",
        "/readyz",
        "/v3/api-docs",
        "/v3/api-docs/**",
        "/swagger-ui.html",
        "/swagger-ui/**",
        "/error",
        // Authenticated by its Standard Webhooks signature instead of an API key (see connector.anthropic).
        "/v1/connectors/anthropic/webhook"
    };

    /**
     * Authenticated by the tunnel module itself: agents present a tunnel token (not an API key) when they connect, and
     * replicas forwarding a call to each other present the shared replica secret.
     */
    private static final String[] TUNNEL_AGENTS = {"/v1/tunnels/*/connect", "/internal/tunnels/**"};

    private static final String[] ADMIN = {
        "/v1/tenants",
        "/v1/tenants/**",
        "/v1/pricing",
        "/v1/pricing/**",
        "/v1/audit",
        "/v1/audit/**",
        "/v1/connectors/**"
    };

    /**
     * Actuator on its own port ({@code management.server.port}): open, because that port is reached by the kubelet and
     * the platform's Prometheus only. On the API's port the same endpoints need an admin key, except health.
     */
    @Bean
    @Order(0)
    SecurityFilterChain managementPortSecurity(HttpSecurity http, ManagementPort managementPort) throws Exception {
        http.securityMatcher(managementPort::matches)
                .csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
        return http.build();
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeyAuthenticator authenticator, ProblemWriter problems)
            throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ApiKeyAuthenticationFilter(authenticator), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(
                        requests -> requests.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
                                .permitAll()
                                .requestMatchers(PUBLIC)
                                .permitAll()
                                .requestMatchers(TUNNEL_AGENTS)
                                .permitAll()
                                .requestMatchers(ADMIN)
                                .hasRole("ADMIN")
                                .requestMatchers("/v1/**")
                                .hasRole("TENANT")
                                .anyRequest()
                                .hasRole("ADMIN"))
                .exceptionHandling(errors -> errors.authenticationEntryPoint((request, response, e) ->
                                problems.write(request, response, ApiKeyAuthenticator.unauthorized()))
                        .accessDeniedHandler((request, response, e) ->
                                problems.write(request, response, ApiKeyAuthenticator.forbidden(request))));
        return http.build();
    }

    /**
     * No observation per security filter: Spring Security would otherwise wrap each of its filters in one on every
     * request, about a tenth of a relayed MCP call's CPU, for spans nothing here exports. {@code http.server.requests}
     * still observes each request whole, and refused keys are counted in {@code perimeter.auth.rejections}.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Spring Security's strict firewall, which also refuses query parameter values holding control characters: a NUL
     * in a {@code tenantId} or {@code cursor} would otherwise reach PostgreSQL, which cannot store it.
     */
    @Bean
    HttpFirewall httpFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedParameterValues(value -> value.chars().noneMatch(Character::isISOControl));
        return firewall;
    }

    /**
     * A URL the firewall refuses (encoded dots or slashes, {@code ;}, non-printable characters) is answered as a
     * problem like any other bad input, not with the servlet container's error page.
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler(ProblemWriter problems) {
        return (request, response, e) -> problems.write(
                request,
                response,
                PerimeterException.problem(
                        HttpStatus.BAD_REQUEST,
                        "validation-failed",
                        "Validation failed",
                        "The request URL is not acceptable: it may not hold encoded dots, slashes or backslashes,"
                                + " semicolons or control characters"));
    }
}
