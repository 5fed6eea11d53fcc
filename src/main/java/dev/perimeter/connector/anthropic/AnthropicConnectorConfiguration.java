package dev.perimeter.connector.anthropic;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Wires the Claude Managed Agents connector; its loops are scheduled only where {@code perimeter.jobs.enabled}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AnthropicConnectorProperties.class)
class AnthropicConnectorConfiguration {}
