package dev.perimeter.tunnel.relay;

import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelManagement;
import dev.perimeter.tunnel.TunnelProperties;
import dev.perimeter.web.ApiKeyAuthenticator;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serves agents' WebSocket connections at {@code /v1/tunnels/{id}/connect} and orchestrators' MCP calls at {@code
 * /v1/tunnels/{id}/mcp} ({@link McpRelayFilter}).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class RelayConfiguration implements WebSocketConfigurer {

    private final LocalAgents agents;
    private final TunnelManagement tunnels;
    private final RelayMetrics metrics;
    private final JsonMapper json;

    RelayConfiguration(LocalAgents agents, TunnelManagement tunnels, RelayMetrics metrics, JsonMapper json) {
        this.agents = agents;
        this.tunnels = tunnels;
        this.metrics = metrics;
        this.json = json;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(new AgentSocketHandler(agents, metrics), "/v1/tunnels/*/connect")
                .addInterceptors(new AgentHandshake(tunnels, agents, metrics, json));
    }

    /** Runs right after correlation ids, ahead of Spring Security's chain and Spring MVC. */
    @Bean
    FilterRegistrationBean<McpRelayFilter> mcpRelayFilter(
            McpRelay relay,
            ReplicaForwarder forwarder,
            ApiKeyAuthenticator authenticator,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) {
        FilterRegistrationBean<McpRelayFilter> registration =
                new FilterRegistrationBean<>(new McpRelayFilter(tunnels, relay, forwarder, authenticator, problems));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
        registration.addUrlPatterns("/v1/tunnels/*", "/internal/tunnels/*");
        return registration;
    }

    /**
     * Relayed calls are not observed as {@code http.server.requests}: {@code perimeter.tunnel.*} counts them by how
     * they ended, times them to the response head and counts refusals by reason, and the observation cost a relayed
     * call a few percent of its CPU for a series that said less.
     */
    @Bean
    static ObservationPredicate relayedCallsAreNotServerRequests() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && McpRelayFilter.handles(request.getCarrier()));
    }

    @Bean
    static ServletServerContainerFactoryBean webSocketContainer(TunnelProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxBinaryMessageBufferSize(TunnelFrame.MAX_FRAME);
        container.setMaxTextMessageBufferSize(1024);
        container.setMaxSessionIdleTimeout(
                properties.heartbeatTolerance().multipliedBy(2).toMillis());
        return container;
    }
}
