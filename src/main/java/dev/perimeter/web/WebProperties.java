package dev.perimeter.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the HTTP edge.
 *
 * @param maxJsonBody largest JSON request body accepted; larger bodies answer 413 before they are read
 */
@ConfigurationProperties("perimeter.web")
record WebProperties(@DefaultValue("1MB") DataSize maxJsonBody) {}
