package dev.perimeter.tunnel;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds the tunnel settings. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TunnelProperties.class)
class TunnelConfiguration {}
