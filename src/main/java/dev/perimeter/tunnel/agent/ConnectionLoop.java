package dev.perimeter.tunnel.agent;

import dev.perimeter.tunnel.TunnelFrame;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one connection to Perimeter open: dials, heartbeats while connected, and after any loss waits a jittered,
 * growing time before dialling again.
 */
final class ConnectionLoop implements Runnable {

    private final int index;
    private final AgentSettings settings;
    private final Upstream upstream;
    private final HttpClient client;
    private final Consumer<Instant> onDial;
    private final Backoff backoff;
    private volatile boolean running = true;
    private volatile @Nullable AgentConnection current;

    ConnectionLoop(int index, AgentSettings settings, Upstream upstream, HttpClient client, Consumer<Instant> onDial) {
        this.index = index;
        this.settings = settings;
        this.upstream = upstream;
        this.client = client;
        this.onDial = onDial;
        this.backoff = new Backoff(
                settings.backoffBase(), settings.backoffMax(), settings.stablePeriod(), ThreadLocalRandom.current());
    }

    @Override
    public void run() {
        while (running) {
            long connectedAt = 0;
            onDial.accept(Instant.now());
            try {
                AgentConnection connection = new AgentConnection(upstream);
                client.newWebSocketBuilder()
                        .header("Authorization", "Bearer " + settings.token())
                        .subprotocols(TunnelFrame.BATCHING_PROTOCOL)
                        .connectTimeout(Duration.ofSeconds(10))
                        .buildAsync(settings.tunnelUrl(), connection)
                        .join();
                connectedAt = System.nanoTime();
                current = connection;
                JsonLog.info("connected", "connection", index, "tunnel", settings.tunnelUrl());
                String reason = heartbeatUntilClosed(connection);
                JsonLog.warn("disconnected", "connection", index, "reason", reason);
            } catch (CompletionException e) {
                JsonLog.warn("connect failed", "connection", index, "error", describe(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                current = null;
            }
            if (connectedAt != 0) {
                backoff.connectedFor(Duration.ofNanos(System.nanoTime() - connectedAt));
            }
            if (!running) {
                return;
            }
            Duration wait = backoff.next();
            JsonLog.info("reconnecting", "connection", index, "inMs", wait.toMillis(), "attempt", backoff.attempt());
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
        }
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
        if (error instanceof WebSocketHandshakeException handshake) {
            int status = handshake.getResponse().statusCode();
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
