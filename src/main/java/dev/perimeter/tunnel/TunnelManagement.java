package dev.perimeter.tunnel;

import dev.perimeter.shared.CapabilityUnsupportedException;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.Tenant;
import dev.perimeter.tenant.TenantContext;
import dev.perimeter.tenant.TenantManagement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registers, lists, rotates and archives tunnels, and admits agents by token. A token is returned once, at register or
 * rotation, and only its SHA-256 is stored. Registers are admitted against the tenant's {@code maxTunnels} under a
 * per-tenant transaction lock, so racing replicas never admit one too many.
 */
@Service
public class TunnelManagement {

    private final Tunnels tunnels;
    private final TunnelConnections connections;
    private final TenantManagement tenants;
    private final TunnelProperties properties;
    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    TunnelManagement(
            Tunnels tunnels,
            TunnelConnections connections,
            TenantManagement tenants,
            TunnelProperties properties,
            TransactionTemplate transactions,
            JdbcClient jdbc,
            ApplicationEventPublisher events,
            Clock clock) {
        this.tunnels = tunnels;
        this.connections = connections;
        this.tenants = tenants;
        this.properties = properties;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.events = events;
        this.clock = clock;
    }

    /**
     * A tunnel with its token.
     *
     * @param tunnel the tunnel
     * @param token the whole token; returned only in the response that issues it
     */
    public record IssuedTunnel(TunnelView tunnel, String token) {}

    /** Registers a tunnel for the caller's tenant. */
    public IssuedTunnel create(TenantContext context, NewTunnel request) {
        TunnelBackend backend = request.backend() == null ? TunnelBackend.PERIMETER : request.backend();
        if (backend != TunnelBackend.PERIMETER) {
            throw new CapabilityUnsupportedException(
                    "tunnel",
                    "backend",
                    "Backend '" + backend + "' is not supported by this deployment yet; use 'PERIMETER'");
        }
        Tenant tenant = tenants.get(context.tenantId());
        String region = regionFor(tenant, request.region());
        TunnelToken.Issued token = TunnelToken.issue();
        Tunnel tunnel = new Tunnel(
                Ids.next("tnl"),
                tenant.getId(),
                request.name(),
                region,
                backend,
                request.upstream(),
                token,
                CorrelationId.current(),
                clock.instant());
        Integer limit = tenant.getQuota().maxTunnels();
        transactions.executeWithoutResult(status -> {
            if (limit != null) {
                jdbc.sql("select pg_advisory_xact_lock(hashtext('tunnels'), hashtext(:tenant))")
                        .param("tenant", tenant.getId())
                        .query()
                        .singleRow();
                long live = tunnels.countByTenantIdAndArchivedAtIsNull(tenant.getId());
                if (live >= limit) {
                    throw new TunnelQuotaExceededException(limit, live, properties.heartbeatInterval());
                }
            }
            tunnels.save(tunnel);
        });
        return new IssuedTunnel(new TunnelView(tunnel, TunnelStatus.DISCONNECTED, 0, null), token.token());
    }

    private String regionFor(Tenant tenant, @Nullable String requested) {
        String served = properties.region();
        String region = requested != null ? requested : !served.isEmpty() ? served : tenant.getDefaultRegion();
        if (region == null || region.isEmpty()) {
            throw new ValidationFailedException("region", "is required when the deployment has no region");
        }
        if (!served.isEmpty() && !served.equals(region)) {
            throw new TunnelRegionException(
                    "This deployment serves region '" + served + "'; register the tunnel with that region's", region);
        }
        if (!tenant.allowsRegion(region)) {
            throw new TunnelRegionException("The tenant may not use region '" + region + "'", region);
        }
        return region;
    }

    /** The tenant's tunnel with its live state. */
    public TunnelView get(TenantContext context, String tunnelId) {
        return view(find(context.tenantId(), tunnelId));
    }

    /** The tenant's tunnels, newest first. */
    public Page<TunnelView> list(TenantContext context, @Nullable String cursor, @Nullable Integer limit) {
        int size = Cursor.limit(limit);
        Cursor after = Cursor.decodeOrStart(cursor);
        List<Tunnel> rows = tunnels.page(context.tenantId(), after.createdAt(), after.id(), size + 1);
        Page<Tunnel> page = Page.ofRows(rows, size, last -> new Cursor(last.getCreatedAt(), last.getId()));
        Map<String, TunnelConnections.Live> live = connections.liveOf(page.items());
        return page.map(tunnel -> view(tunnel, live.get(tunnel.getId())));
    }

    /** Issues a new token; connections opened with the old one drain, new ones need the new one. */
    public IssuedTunnel rotateToken(TenantContext context, String tunnelId) {
        TunnelToken.Issued token = TunnelToken.issue();
        Tunnel rotated = transactions.execute(status -> {
            Tunnel tunnel = find(context.tenantId(), tunnelId);
            if (tunnel.isArchived()) {
                throw new TunnelArchivedException(tunnelId);
            }
            tunnel.rotate(token, clock.instant());
            return tunnels.save(tunnel);
        });
        return new IssuedTunnel(view(rotated), token.token());
    }

    /** Archives the tunnel and closes its live connections; archiving again answers it as it is. */
    public TunnelView archive(TenantContext context, String tunnelId) {
        Tunnel archived = transactions.execute(status -> {
            Tunnel tunnel = find(context.tenantId(), tunnelId);
            tunnel.archive(clock.instant());
            return tunnels.save(tunnel);
        });
        events.publishEvent(new TunnelArchived(tunnelId));
        return view(archived);
    }

    /**
     * The tenant's tunnel, if this replica may relay calls to it: archived answers 410, another region's 403.
     */
    public Tunnel relayable(String tenantId, String tunnelId) {
        Tunnel tunnel = find(tenantId, tunnelId);
        if (tunnel.isArchived()) {
            throw new TunnelArchivedException(tunnelId);
        }
        checkServed(tunnel);
        return tunnel;
    }

    /**
     * Admits an agent presenting {@code token} for {@code tunnelId}: empty when the token is not the tunnel's current
     * one or the tunnel is archived; a tunnel of a region this deployment does not serve is refused with 403.
     */
    public Optional<AgentGrant> admitAgent(String tunnelId, @Nullable String token) {
        if (token == null || token.length() > 128) {
            return Optional.empty();
        }
        Optional<Tunnel> found = TunnelToken.prefixOf(token)
                .flatMap(tunnels::findByTokenPrefix)
                .filter(tunnel -> tunnel.getId().equals(tunnelId))
                .filter(tunnel -> TunnelToken.matches(token, tunnel.getTokenHash()))
                .filter(tunnel -> !tunnel.isArchived());
        found.ifPresent(this::checkServed);
        return found.map(tunnel -> new AgentGrant(tunnel.getId(), tunnel.getTenantId(), tunnel.getTokenGeneration()));
    }

    private void checkServed(Tunnel tunnel) {
        String served = properties.region();
        if (!served.isEmpty() && !served.equals(tunnel.getRegion())) {
            throw new TunnelRegionException(
                    "Tunnel '" + tunnel.getId() + "' belongs to region '" + tunnel.getRegion()
                            + "'; this deployment serves '" + served + "'",
                    tunnel.getRegion());
        }
    }

    private Tunnel find(String tenantId, String tunnelId) {
        if (!Ids.looksLike("tnl", tunnelId)) {
            throw new NoSuchTunnelException(tunnelId.length() > 64 ? tunnelId.substring(0, 64) + "…" : tunnelId);
        }
        return tunnels.findByIdAndTenantId(tunnelId, tenantId).orElseThrow(() -> new NoSuchTunnelException(tunnelId));
    }

    private TunnelView view(Tunnel tunnel) {
        return view(tunnel, connections.liveOf(List.of(tunnel)).get(tunnel.getId()));
    }

    private static TunnelView view(Tunnel tunnel, TunnelConnections.@Nullable Live live) {
        int count = live == null ? 0 : live.connections();
        TunnelStatus status = tunnel.isArchived()
                ? TunnelStatus.ARCHIVED
                : count > 0 ? TunnelStatus.CONNECTED : TunnelStatus.DISCONNECTED;
        return new TunnelView(tunnel, status, count, live == null ? tunnel.getLastSeenAt() : live.lastSeenAt());
    }
}
