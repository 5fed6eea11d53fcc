package dev.perimeter.tunnel.agent;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which Perimeter replica each of the agent's connections is on, so that a connection being dialled can ask to avoid
 * the replicas the others hold. Connections dial in order: one waits (briefly) while a lower-numbered one is still
 * finding out where it landed, or two starting together would both land on the first replica they reach.
 */
final class ReplicaSpread {

    private final Map<Integer, String> held = new HashMap<>();
    private final Set<Integer> dialling = new HashSet<>();

    /** Waits up to {@code wait} while a connection numbered below {@code connection} is dialling. */
    synchronized void awaitEarlier(int connection, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (dialling.stream().anyMatch(other -> other < connection)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Marks the connection as dialling; answers the replicas the other connections are on. */
    synchronized List<String> dialling(int connection) {
        dialling.add(connection);
        return held.entrySet().stream()
                .filter(entry -> entry.getKey() != connection)
                .map(Map.Entry::getValue)
                .distinct()
                .sorted()
                .toList();
    }

    /** The connection is up on {@code replica} ({@code null} when the relay did not say), or has stopped dialling. */
    synchronized void settled(int connection, @Nullable String replica) {
        dialling.remove(connection);
        if (replica != null) {
            held.put(connection, replica);
        }
        notifyAll();
    }

    /** The connection is down. */
    synchronized void released(int connection) {
        dialling.remove(connection);
        held.remove(connection);
        notifyAll();
    }
}
