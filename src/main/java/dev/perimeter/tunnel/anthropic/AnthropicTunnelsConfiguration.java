package dev.perimeter.tunnel.anthropic;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds the settings of Anthropic's MCP tunnels. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AnthropicTunnelProperties.class)
class AnthropicTunnelsConfiguration {}
