package dev.perimeter.tunnel.relay;

import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelManagement;
import dev.perimeter.tunnel.TunnelProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import tools.jackson.databind.json.JsonMapper;

/** Serves agents' WebSocket connections at {@code /v1/tunnels/{id}/connect}. */
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
