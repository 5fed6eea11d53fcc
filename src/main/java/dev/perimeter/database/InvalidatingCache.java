package dev.perimeter.database;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Rows read on every request (API keys, tunnel rows, tenants, prices) kept in memory until their {@link
 * Invalidations} topic says they changed, on any replica. Only rows that exist are kept, each for at most {@code
 * perimeter.cache.max-age}.
 *
 * <p>A read that raced a change must not put the old row back after the notice emptied it: every invalidation bumps a
 * generation, and a loaded row stays only if the generation is the one seen before the load began.
 *
 * @param <V> the cached row
 */
public final class InvalidatingCache<V> {

    private final Invalidations feed;
    private final Cache<String, V> entries;
    private final AtomicLong generation = new AtomicLong();

    InvalidatingCache(Invalidations feed, long maximumSize, Duration maxAge) {
        this.feed = feed;
        this.entries = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfterWrite(maxAge)
                .build();
    }

    /**
     * The row for {@code key}: from memory while the change listener is connected, else from {@code loader}.
     *
     * @param loader reads the row from the database
     */
    public Optional<V> get(String key, Function<String, Optional<V>> loader) {
        if (!feed.listening()) {
            return loader.apply(key);
        }
        V cached = entries.getIfPresent(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        long seen = generation.get();
        Optional<V> loaded = loader.apply(key);
        if (loaded.isPresent()) {
            entries.put(key, loaded.get());
            if (generation.get() != seen || !feed.listening()) {
                entries.invalidate(key);
            }
        }
        return loaded;
    }

    void invalidate(String key) {
        generation.incrementAndGet();
        entries.invalidate(key);
    }

    void invalidateAll() {
        generation.incrementAndGet();
        entries.invalidateAll();
    }
}
