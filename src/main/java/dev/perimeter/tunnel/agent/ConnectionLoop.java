package dev.perimeter.tunnel.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one connection to Perimeter open: dials, heartbeats while connected, and after any loss waits a jittered,
 * growing time before dialling again. Each dial names the replicas the agent's other connections are on; a replica
 * among them refuses with 409, and the loop dials again after a short jittered pause, up to {@link #SPREAD_TRIES}
 * times in a row. Then it takes whichever replica it reaches (a deployment may have only one, or a load balancer may
 * be sticky) and does not ask again for {@link #SPREAD_PAUSE}.
 */
final class ConnectionLoop implements Runnable {

    /** Dials in a row that may ask to avoid the replicas the other connections hold. */
    static final int SPREAD_TRIES = 3;

    /** How long a loop that could not spread takes any replica before it tries again. */
    static final Duration SPREAD_PAUSE = Duration.ofMinutes(5);

    private static final Duration REPLICA_WAIT = Duration.ofSeconds(1);
    private static final Duration EARLIER_WAIT = Duration.ofSeconds(2);

    private final int index;
    private final AgentSettings settings;
    private final TunnelDialer dialer;
    private final Consumer<Instant> onDial;
    private final Backoff backoff;
    private final ReplicaSpread spread;
    private volatile boolean running = true;
    private volatile @Nullable AgentConnection current;

    ConnectionLoop(
            int index, AgentSettings settings, TunnelDialer dialer, ReplicaSpread spread, Consumer<Instant> onDial) {
        this.index = index;
        this.spread = spread;
        this.settings = settings;
        this.dialer = dialer;
        this.onDial = onDial;
        this.backoff = new Backoff(
                settings.backoffBase(), settings.backoffMax(), settings.stablePeriod(), ThreadLocalRandom.current());
    }

    @Override
    public void run() {
        int spreadTries = 0;
        long spreadPausedUntil = System.nanoTime();
        while (running) {
            long connectedAt = 0;
            boolean replicaHeld = false;
            try {
                spread.awaitEarlier(index, EARLIER_WAIT);
                List<String> avoid = spread.dialling(index);
                onDial.accept(Instant.now());
                boolean mayAvoid = System.nanoTime() - spreadPausedUntil >= 0;
                AgentConnection connection =
                        dialer.dial(mayAvoid ? avoid : List.of()).join();
                connectedAt = System.nanoTime();
                current = connection;
                String replica = connection.replica(REPLICA_WAIT);
                spread.settled(index, replica);
                spreadTries = 0;
                JsonLog.info("connected", "connection", index, "tunnel", settings.tunnelUrl(), "replica", replica);
                String reason = heartbeatUntilClosed(connection);
                JsonLog.warn("disconnected", "connection", index, "reason", reason);
            } catch (CompletionException e) {
                if (replicaHeld(e.getCause())) {
                    replicaHeld = true;
                    JsonLog.info("replica held by another connection; dialling again", "connection", index);
                    if (++spreadTries == SPREAD_TRIES) {
                        spreadTries = 0;
                        spreadPausedUntil = System.nanoTime() + SPREAD_PAUSE.toNanos();
                        JsonLog.info("could not spread over replicas; taking any", "connection", index);
                    }
                } else {
                    JsonLog.warn("connect failed", "connection", index, "error", describe(e.getCause()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                current = null;
                spread.released(index);
            }
            if (connectedAt != 0) {
                backoff.connectedFor(Duration.ofNanos(System.nanoTime() - connectedAt));
            }
            if (!running) {
                return;
            }
            Duration wait =
                    replicaHeld ? Duration.ofMillis(ThreadLocalRandom.current().nextLong(20, 200)) : backoff.next();
            if (!replicaHeld) {
                JsonLog.info(
                        "reconnecting", "connection", index, "inMs", wait.toMillis(), "attempt", backoff.attempt());
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static boolean replicaHeld(@Nullable Throwable error) {
        return TunnelDialer.refusedWith(error) == 409;
    }

    private String heartbeatUntilClosed(AgentConnection connection) throws InterruptedException {
        long tolerance = settings.heartbeatTolerance().toNanos();
        long interval = settings.heartbeatInterval().toMillis();
        while (running) {
            try {
                return connection.closed().get(interval, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (connection.silentNanos() > tolerance) {
                    connection.abort("no heartbeat from Perimeter");
                } else {
                    connection.ping();
                }
            } catch (java.util.concurrent.ExecutionException e) {
                return String.valueOf(e.getCause());
            }
        }
        connection.close();
        return "agent stopping";
    }

    private static String describe(@Nullable Throwable error) {
        int status = TunnelDialer.refusedWith(error);
        if (status != 0) {
            return status == 401
                    ? "the tunnel token was refused (401): rotated, archived or wrong"
                    : "Perimeter refused the connection with " + status;
        }
        return String.valueOf(error);
    }

    /** Stops dialling; {@code abruptly} drops the connection as a crash would, otherwise it closes politely. */
    void stop(boolean abruptly) {
        running = false;
        AgentConnection connection = current;
        if (connection != null) {
            if (abruptly) {
                connection.abort("agent killed");
            } else {
                connection.close();
            }
        }
    }

    /** Drops the current connection without stopping: the loop dials again after its backoff. */
    void drop() {
        AgentConnection connection = current;
        if (connection != null) {
            connection.abort("dropped");
        }
    }
}
