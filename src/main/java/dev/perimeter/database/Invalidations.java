package dev.perimeter.database;

import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells every replica's {@link InvalidatingCache}s that a row changed, through Postgres {@code LISTEN/NOTIFY}.
 *
 * <p>{@link #publish} sends the notice inside the writer's transaction, so Postgres delivers it to every listening
 * replica when, and only if, the change commits; the writing replica also drops its own entry right after the commit.
 * Each replica listens on one connection of its own. While that connection is down no notice can reach the replica, so
 * its caches stop answering (every read goes to the database) and are emptied; they come back only after {@code
 * LISTEN} is in place again. A heartbeat query every {@code perimeter.cache.heartbeat} finds a connection that died
 * without a word.
 */
@Component
@EnableConfigurationProperties(CacheProperties.class)
public class Invalidations implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Invalidations.class);

    /** The Postgres channel; a notice's payload is {@code <topic>:<key>}. */
    static final String CHANNEL = "perimeter_invalidations";

    private static final Duration POLL = Duration.ofMillis(250);

    /** Waits between attempts to listen again: 100 ms, doubling, at most 5 s. */
    private static final IntervalFunction RETRY =
            IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(5));

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final CacheProperties properties;
    private final Map<String, InvalidatingCache<?>> caches = new ConcurrentHashMap<>();
    private final Counter received;
    private final Counter lost;
    private volatile boolean listening;
    private volatile boolean running;
    private volatile @Nullable Thread listener;
    private volatile int listenerPid;

    Invalidations(DataSource dataSource, JdbcClient jdbc, CacheProperties properties, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.properties = properties;
        this.received = Counter.builder("perimeter.cache.invalidations")
                .description("Change notices received from Postgres")
                .register(meters);
        this.lost = Counter.builder("perimeter.cache.listener.losses")
                .description("Times the change listener lost its connection; the caches were off until it was back")
                .register(meters);
        Gauge.builder("perimeter.cache.listening", this, feed -> feed.listening ? 1 : 0)
                .description("1 while the change listener is connected and the caches answer, else 0")
                .register(meters);
    }

    /**
     * A cache of one kind of row, emptied of a key whenever someone publishes that topic and key.
     *
     * @param topic what the cached rows are, e.g. {@code api-key}; no colon
     * @param maximumSize most entries kept
     */
    public <V> InvalidatingCache<V> cache(String topic, long maximumSize) {
        if (topic.indexOf(':') >= 0) {
            throw new IllegalArgumentException("A topic has no colon: " + topic);
        }
        InvalidatingCache<V> cache = new InvalidatingCache<>(this, maximumSize, properties.maxAge());
        if (caches.putIfAbsent(topic, cache) != null) {
            throw new IllegalStateException("Two caches for topic " + topic);
        }
        return cache;
    }

    /**
     * Announces that the row {@code key} of {@code topic} changed. Inside a transaction the notice goes out with the
     * commit (and not at all on rollback); outside one, at once.
     */
    public void publish(String topic, String key) {
        jdbc.sql("select pg_notify(?, ?)")
                .param(CHANNEL)
                .param(topic + ":" + key)
                .query()
                .singleValue();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    invalidate(topic, key);
                }
            });
        } else {
            invalidate(topic, key);
        }
    }

    /** Whether the caches may answer: the listener is connected, so no notice can be missed. */
    boolean listening() {
        return listening;
    }

    /** The Postgres backend process of the listening session, for tests that cut it. */
    int listenerPid() {
        return listenerPid;
    }

    private void invalidate(String topic, String key) {
        InvalidatingCache<?> cache = caches.get(topic);
        if (cache != null) {
            cache.invalidate(key);
        }
    }

    private void dispatch(String payload) {
        received.increment();
        int colon = payload.indexOf(':');
        if (colon > 0) {
            invalidate(payload.substring(0, colon), payload.substring(colon + 1));
        }
    }

    private void clearAll() {
        caches.values().forEach(InvalidatingCache::invalidateAll);
    }

    private void listen() {
        int failures = 0;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                PGConnection postgres = connection.unwrap(PGConnection.class);
                listenerPid = postgres.getBackendPID();
                clearAll();
                listening = true;
                failures = 0;
                log.info("Listening for cache invalidations on channel {}", CHANNEL);
                receive(connection, postgres);
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Cache invalidation listener lost its connection; caches are off until it is back", e);
                    lost.increment();
                }
            } finally {
                listening = false;
                clearAll();
            }
            if (running) {
                sleep(Duration.ofMillis(RETRY.apply(++failures)));
            }
        }
    }

    private void receive(Connection connection, PGConnection postgres) throws SQLException {
        long heartbeatDue = System.nanoTime() + properties.heartbeat().toNanos();
        while (running) {
            PGNotification[] notices = postgres.getNotifications((int) POLL.toMillis());
            if (notices != null) {
                for (PGNotification notice : notices) {
                    dispatch(notice.getParameter());
                }
            }
            if (System.nanoTime() - heartbeatDue >= 0) {
                try (Statement statement = connection.createStatement()) {
                    statement.setQueryTimeout(
                            (int) Math.max(1, properties.heartbeat().toSeconds()));
                    statement.execute("select 1");
                }
                heartbeatDue = System.nanoTime() + properties.heartbeat().toNanos();
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void start() {
        if (!properties.enabled() || running) {
            return;
        }
        running = true;
        listener = Thread.ofPlatform().name("cache-invalidations").daemon().start(this::listen);
    }

    /** Stops listening before the connection pool closes, so the pool need not wait for the listener's connection. */
    @Override
    public void stop() {
        running = false;
        Thread thread = listener;
        if (thread != null) {
            try {
                thread.join(POLL.multipliedBy(4));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
