package dev.perimeter.connector.anthropic;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The work queue's state and rules, as Anthropic documents them:
 *
 * <ul>
 *   <li>A session's work item starts {@code queued}. A poll hands out the oldest item that is queued and not handed
 *       out within the last {@code reclaim_older_than_ms} (default 5000), or that was acknowledged that long ago and
 *       never heartbeated (its lease lapsed: "they reclaim on the next poll once the lease lapses").
 *   <li>Ack moves {@code queued} to {@code starting}. Acknowledging a {@code starting} item that never heartbeated
 *       again (a redelivery) renews it; acknowledging a heartbeated or stopped item is a 409.
 *   <li>Heartbeat takes {@code expected_last_heartbeat}: {@code NO_HEARTBEAT} for the first, then the server's last
 *       value exactly; any other value is a 412, except on a {@code stopping} or {@code stopped} item, which is not
 *       compared. A heartbeat makes the item {@code active}.
 *   <li>Stop moves {@code queued}/{@code starting} items to {@code stopped}, an {@code active} one to {@code stopping}
 *       ({@code stopped} with {@code force}); stopping a stopped item answers it as it is.
 * </ul>
 */
public final class FakeWorkQueue {

    public static final String NO_HEARTBEAT = "NO_HEARTBEAT";
    static final long DEFAULT_RECLAIM_MS = 5000;

    private final Map<String, String> keys = new ConcurrentHashMap<>();
    private final Map<String, Work> work = new ConcurrentHashMap<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private volatile Duration offset = Duration.ZERO;

    /** One work item. Mutable under the queue's lock. */
    public static final class Work {
        final String id;
        final String environmentId;
        final String sessionId;
        final Instant createdAt;
        String state = "queued";

        @Nullable
        Instant handedOutAt;

        @Nullable
        Instant acknowledgedAt;

        @Nullable
        Instant startedAt;

        @Nullable
        String lastHeartbeat;

        @Nullable
        Instant stopRequestedAt;

        @Nullable
        Instant stoppedAt;

        int deliveries;
        int acks;

        Work(String id, String environmentId, String sessionId, Instant createdAt) {
            this.id = id;
            this.environmentId = environmentId;
            this.sessionId = sessionId;
            this.createdAt = createdAt;
        }
    }

    /** Creates an environment with its key; answers its id. */
    public String newEnvironment(String key) {
        String id = "env_" + UUID.randomUUID().toString().replace("-", "");
        keys.put(id, key);
        return id;
    }

    /** Queues a session's work item, as creating a session does; answers the work id. */
    public synchronized String enqueue(String environmentId, String sessionId) {
        String id = "work_" + UUID.randomUUID().toString().replace("-", "");
        work.put(id, new Work(id, environmentId, sessionId, now()));
        return id;
    }

    /** The item's state ({@code queued}, {@code starting}, {@code active}, {@code stopping}, {@code stopped}). */
    public synchronized String state(String workId) {
        return work.get(workId).state;
    }

    /** How often polls handed the item out. */
    public synchronized int deliveries(String workId) {
        return work.get(workId).deliveries;
    }

    /** How often the item was acknowledged. */
    public synchronized int acks(String workId) {
        return work.get(workId).acks;
    }

    /** Ends the session on Anthropic's side: its work item is stopped. */
    public synchronized void stopFromAnthropic(String workId) {
        stop(work.get(workId), true);
    }

    synchronized @Nullable String keyOf(String environmentId) {
        return keys.get(environmentId);
    }

    synchronized Optional<Work> poll(String environmentId, long reclaimMs) {
        Instant now = now();
        Instant reclaimBefore = now.minusMillis(reclaimMs);
        Optional<Work> next = work.values().stream()
                .filter(item -> item.environmentId.equals(environmentId))
                .filter(item -> (item.state.equals("queued")
                                && (item.handedOutAt == null || item.handedOutAt.isBefore(reclaimBefore)))
                        || (item.state.equals("starting")
                                && item.lastHeartbeat == null
                                && item.acknowledgedAt != null
                                && item.acknowledgedAt.isBefore(reclaimBefore)
                                && (item.handedOutAt == null || item.handedOutAt.isBefore(reclaimBefore))))
                .min(Comparator.comparing((Work item) -> item.createdAt).thenComparing(item -> item.id));
        next.ifPresent(item -> {
            item.handedOutAt = now;
            item.deliveries++;
        });
        return next;
    }

    synchronized @Nullable Work get(String environmentId, String workId) {
        Work item = work.get(workId);
        return item != null && item.environmentId.equals(environmentId) ? item : null;
    }

    synchronized List<Work> list(String environmentId) {
        List<Work> items = new ArrayList<>(work.values().stream()
                .filter(item -> item.environmentId.equals(environmentId))
                .toList());
        items.sort(Comparator.comparing((Work item) -> item.createdAt).thenComparing(item -> item.id));
        return items;
    }

    /** Answers whether the ack was accepted. */
    synchronized boolean ack(Work item) {
        if (item.state.equals("queued") || (item.state.equals("starting") && item.lastHeartbeat == null)) {
            item.state = "starting";
            item.acknowledgedAt = now();
            item.acks++;
            return true;
        }
        return false;
    }

    /** Answers whether the heartbeat matched; on a match the lease is extended. */
    synchronized boolean heartbeat(Work item, String expected) {
        if (item.state.equals("stopping") || item.state.equals("stopped")) {
            return true;
        }
        String actual = item.lastHeartbeat == null ? NO_HEARTBEAT : item.lastHeartbeat;
        if (!actual.equals(expected)) {
            return false;
        }
        Instant now = now();
        item.lastHeartbeat = now.toString();
        item.state = "active";
        if (item.startedAt == null) {
            item.startedAt = now;
        }
        return true;
    }

    synchronized void stop(Work item, boolean force) {
        if (item.state.equals("stopped")) {
            return;
        }
        Instant now = now();
        if (item.stopRequestedAt == null) {
            item.stopRequestedAt = now;
        }
        if (item.state.equals("active") && !force) {
            item.state = "stopping";
        } else {
            item.state = "stopped";
            item.stoppedAt = now;
        }
    }

    void refused(String path) {
        refusals.add(path);
    }

    List<String> refusals() {
        return List.copyOf(refusals);
    }

    void advance(Duration duration) {
        offset = offset.plus(duration);
    }

    Instant now() {
        return Instant.now().plus(offset);
    }
}
