package dev.perimeter.tunnel;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The live agent connections as the database records them: which replica holds each one and at what address, so any
 * replica can report a tunnel's status and forward a call to the replica that can relay it. The replica holding a
 * connection refreshes its row every heartbeat; a row not refreshed within the tolerance (a replica that died) no
 * longer counts and is deleted by the next heartbeat of any replica.
 */
@Component
public class TunnelConnections {

    /**
     * A tunnel's live connections.
     *
     * @param connections how many
     * @param lastSeenAt when one last proved alive, or the tunnel's record of it after the last one closed
     */
    public record Live(int connections, @Nullable Instant lastSeenAt) {}

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration staleAfter;

    TunnelConnections(JdbcClient jdbc, Clock clock, TunnelProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.staleAfter = properties.heartbeatTolerance().plus(properties.heartbeatInterval());
    }

    /** Records a connection an agent opened on this replica. */
    public void opened(String connectionId, String tunnelId, String replicaId, String replicaUrl, int generation) {
        Instant now = clock.instant();
        jdbc.sql(
                        """
                insert into tunnel_connections
                    (id, tunnel_id, replica_id, replica_url, token_generation, connected_at, last_seen_at)
                values (:id, :tunnel, :replica, :url, :generation, :now, :now)""")
                .param("id", connectionId)
                .param("tunnel", tunnelId)
                .param("replica", replicaId)
                .param("url", replicaUrl)
                .param("generation", generation)
                .param("now", Timestamp.from(now))
                .update();
        touchTunnel(tunnelId, now);
    }

    /** Forgets a connection that closed; the tunnel keeps when it was last seen. */
    public void closed(String connectionId, String tunnelId) {
        jdbc.sql("delete from tunnel_connections where id = :id")
                .param("id", connectionId)
                .update();
        touchTunnel(tunnelId, clock.instant());
    }

    private void touchTunnel(String tunnelId, Instant now) {
        jdbc.sql("update tunnels set last_seen_at = :now where id = :id")
                .param("now", Timestamp.from(now))
                .param("id", tunnelId)
                .update();
    }

    /**
     * Refreshes this replica's connection rows, deletes every replica's stale ones and answers the ids of this
     * replica's connections whose tunnel was archived meanwhile, which the caller closes.
     */
    public List<String> heartbeat(String replicaId) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("update tunnel_connections set last_seen_at = :now where replica_id = :replica")
                .param("now", now)
                .param("replica", replicaId)
                .update();
        jdbc.sql(
                        """
                update tunnels t set last_seen_at = :now
                where exists (select 1 from tunnel_connections c where c.tunnel_id = t.id and c.replica_id = :replica)""")
                .param("now", now)
                .param("replica", replicaId)
                .update();
        jdbc.sql("delete from tunnel_connections where last_seen_at < :stale")
                .param("stale", Timestamp.from(clock.instant().minus(staleAfter)))
                .update();
        return jdbc.sql(
                        """
                select c.id from tunnel_connections c join tunnels t on t.id = c.tunnel_id
                where c.replica_id = :replica and t.archived_at is not null""")
                .param("replica", replicaId)
                .query(String.class)
                .list();
    }

    /** Live connection counts and last-seen times of these tunnels. */
    public Map<String, Live> liveOf(Collection<Tunnel> tunnels) {
        Map<String, Live> live = new HashMap<>();
        if (tunnels.isEmpty()) {
            return live;
        }
        Map<String, Integer> counts = new HashMap<>();
        jdbc.sql(
                        """
                select tunnel_id, count(*) as n from tunnel_connections
                where tunnel_id in (:ids) and last_seen_at >= :fresh group by tunnel_id""")
                .param("ids", tunnels.stream().map(Tunnel::getId).toList())
                .param("fresh", Timestamp.from(clock.instant().minus(staleAfter)))
                .query((rs, row) -> counts.put(rs.getString("tunnel_id"), rs.getInt("n")))
                .list();
        for (Tunnel tunnel : tunnels) {
            int count = tunnel.isArchived() ? 0 : counts.getOrDefault(tunnel.getId(), 0);
            live.put(tunnel.getId(), new Live(count, tunnel.getLastSeenAt()));
        }
        return live;
    }

    /** Internal addresses of other replicas holding a live connection of the tunnel, most recently seen first. */
    public List<String> replicasHolding(String tunnelId, String exceptReplicaId) {
        return jdbc.sql(
                        """
                select replica_url from tunnel_connections
                where tunnel_id = :tunnel and replica_id <> :replica and last_seen_at >= :fresh
                group by replica_url order by max(last_seen_at) desc""")
                .param("tunnel", tunnelId)
                .param("replica", exceptReplicaId)
                .param("fresh", Timestamp.from(clock.instant().minus(staleAfter)))
                .query(String.class)
                .list();
    }
}
