package dev.perimeter.tunnel.relay;

import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelManagement;
import dev.perimeter.tunnel.TunnelProperties;
import dev.perimeter.web.ApiKeyAuthenticator;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
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

    /** Runs after correlation ids and the request observation, ahead of Spring Security's chain and Spring MVC. */
    @Bean
    FilterRegistrationBean<McpRelayFilter> mcpRelayFilter(
            McpRelay relay,
            ReplicaForwarder forwarder,
            ApiKeyAuthenticator authenticator,
            HttpFirewall firewall,
            RequestRejectedHandler rejected,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) {
        FilterRegistrationBean<McpRelayFilter> registration = new FilterRegistrationBean<>(
                new McpRelayFilter(tunnels, relay, forwarder, authenticator, firewall, rejected, problems));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
        registration.addUrlPatterns("/v1/tunnels/*", "/internal/tunnels/*");
        return registration;
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
