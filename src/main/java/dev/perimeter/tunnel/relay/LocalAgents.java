package dev.perimeter.tunnel.relay;

import dev.perimeter.audit.AuditEvent;
import dev.perimeter.audit.AuditTrail;
import dev.perimeter.shared.Ids;
import dev.perimeter.tunnel.TunnelArchived;
import dev.perimeter.tunnel.TunnelConnections;
import dev.perimeter.tunnel.TunnelProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * The agent connections this replica holds, by tunnel, and this replica's identity in {@code tunnel_connections}.
 * Every heartbeat it closes connections that went silent or whose tunnel was archived, and refreshes its rows.
 */
@Component
class LocalAgents implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LocalAgents.class);

    private final Map<String, List<AgentLink>> byTunnel = new ConcurrentHashMap<>();
    private final TunnelConnections connections;
    private final TunnelProperties properties;
    private final AuditTrail audit;
    private final String replicaId = Ids.next("rep");
    private volatile @Nullable String replicaUrl;
    private volatile @Nullable ScheduledExecutorService heartbeat;

    LocalAgents(TunnelConnections connections, TunnelProperties properties, RelayMetrics metrics, AuditTrail audit) {
        this.connections = connections;
        this.audit = audit;
        this.properties = properties;
        metrics.connections(
                () -> byTunnel.values().stream().mapToInt(List::size).sum());
    }

    String replicaId() {
        return replicaId;
    }

    /** This replica's internal address, known once the web server listens. */
    String replicaUrl() {
        String url = replicaUrl;
        if (url == null) {
            throw new IllegalStateException("The web server is not listening yet");
        }
        return url;
    }

    @EventListener
    void listening(WebServerInitializedEvent event) {
        if (!properties.replicaUrl().isEmpty()) {
            replicaUrl = properties.replicaUrl();
            return;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            host = InetAddress.getLoopbackAddress().getHostAddress();
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        replicaUrl = "http://" + host + ":" + event.getWebServer().getPort();
    }

    void add(AgentLink link) {
        connections.opened(
                link.connectionId(),
                link.grant().tunnelId(),
                replicaId,
                replicaUrl(),
                link.grant().tokenGeneration());
        byTunnel.computeIfAbsent(link.grant().tunnelId(), id -> new CopyOnWriteArrayList<>())
                .add(link);
        audit.record(event("tunnel.agent-connected", link, Map.of()));
    }

    private AuditEvent event(String action, AgentLink link, Map<String, Object> more) {
        Map<String, Object> details = new java.util.HashMap<>(more);
        details.put("connectionId", link.connectionId());
        details.put("replicaId", replicaId);
        details.put("tokenGeneration", link.grant().tokenGeneration());
        return AuditEvent.system(
                "tunnel-relay", link.grant().tenantId(), action, link.grant().tunnelId(), details);
    }

    void remove(AgentLink link, String reason) {
        link.lost(reason);
        List<AgentLink> links = byTunnel.get(link.grant().tunnelId());
        if (links != null && links.remove(link)) {
            connections.closed(link.connectionId(), link.grant().tunnelId());
            audit.record(event("tunnel.agent-disconnected", link, Map.of("reason", reason)));
        }
    }

    /** The least busy open connection of the tunnel on this replica, if any. */
    @Nullable
    AgentLink pick(String tunnelId) {
        return byTunnel.getOrDefault(tunnelId, List.of()).stream()
                .filter(AgentLink::isOpen)
                .min(Comparator.comparingInt(AgentLink::load))
                .orElse(null);
    }

    @EventListener
    void archived(TunnelArchived event) {
        byTunnel.getOrDefault(event.tunnelId(), List.of())
                .forEach(link -> link.close(CloseStatus.POLICY_VIOLATION, "tunnel archived"));
    }

    void beat() {
        long tolerance = properties.heartbeatTolerance().toNanos();
        byTunnel.values().stream()
                .flatMap(List::stream)
                .filter(link -> link.silentNanos() > tolerance)
                .forEach(link -> link.close(CloseStatus.SESSION_NOT_RELIABLE, "no heartbeat"));
        List<String> archived = connections.heartbeat(replicaId);
        if (!archived.isEmpty()) {
            byTunnel.values().stream()
                    .flatMap(List::stream)
                    .filter(link -> archived.contains(link.connectionId()))
                    .forEach(link -> link.close(CloseStatus.POLICY_VIOLATION, "tunnel archived"));
        }
    }

    @Override
    public void start() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("tunnel-heartbeat").factory());
        long interval = properties.heartbeatInterval().toMillis();
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        beat();
                    } catch (RuntimeException e) {
                        log.warn("Tunnel heartbeat failed: {}", e.toString());
                    }
                },
                interval,
                interval,
                TimeUnit.MILLISECONDS);
        heartbeat = scheduler;
    }

    @Override
    public void stop() {
        ScheduledExecutorService scheduler = heartbeat;
        if (scheduler != null) {
            scheduler.shutdownNow();
            heartbeat = null;
        }
        byTunnel.values().stream()
                .flatMap(List::stream)
                .forEach(link -> link.close(CloseStatus.SERVICE_RESTARTED, "replica stopping"));
    }

    @Override
    public boolean isRunning() {
        return heartbeat != null;
    }
}
