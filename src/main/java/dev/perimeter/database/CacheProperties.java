package dev.perimeter.database;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The in-memory caches of rows read on every request; see {@link Invalidations}.
 *
 * @param enabled {@code false} reads every row from the database on every request
 * @param maxAge longest an entry is kept even without a change notice
 * @param heartbeat how often the listener checks its connection; a connection that died silently is found within this
 */
@ConfigurationProperties("perimeter.cache")
public record CacheProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("PT60S") Duration maxAge,
        @DefaultValue("PT5S") Duration heartbeat) {}
