package dev.perimeter.tunnel;

import dev.perimeter.database.InvalidatingCache;
import dev.perimeter.database.Invalidations;
import dev.perimeter.shared.CapabilityUnsupportedException;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.Cursor;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.Tenant;
import dev.perimeter.tenant.TenantContext;
import dev.perimeter.tenant.TenantManagement;
import dev.perimeter.tunnel.anthropic.AnthropicTunnelProperties;
import dev.perimeter.tunnel.anthropic.AnthropicTunnels;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private static final Logger log = LoggerFactory.getLogger(TunnelManagement.class);

    /** The {@link Invalidations} topic of the rows {@link #relayable} reads; the key is the tunnel's id. */
    static final String RELAY_TOPIC = "tunnel";

    private final Tunnels tunnels;
    private final TunnelConnections connections;
    private final TenantManagement tenants;
    private final TunnelProperties properties;
    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final AnthropicTunnels anthropic;
    private final Invalidations invalidations;
    private final InvalidatingCache<RelayRow> relayRows;

    TunnelManagement(
            Tunnels tunnels,
            TunnelConnections connections,
            TenantManagement tenants,
            TunnelProperties properties,
            TransactionTemplate transactions,
            JdbcClient jdbc,
            ApplicationEventPublisher events,
            Clock clock,
            AnthropicTunnels anthropic,
            Invalidations invalidations) {
        this.tunnels = tunnels;
        this.invalidations = invalidations;
        this.relayRows = invalidations.cache(RELAY_TOPIC, 100_000);
        this.connections = connections;
        this.tenants = tenants;
        this.properties = properties;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.events = events;
        this.clock = clock;
        this.anthropic = anthropic;
    }

    /**
     * A tunnel with its token.
     *
     * @param tunnel the tunnel
     * @param token the whole token; returned only in the response that issues it
     */
    public record IssuedTunnel(TunnelView tunnel, @Nullable String token) {}

    /**
     * Registers a tunnel for the caller's tenant. An {@code ANTHROPIC} one is created in Anthropic first (and its CA
     * certificate registered there), then recorded; when anything after Anthropic's create fails, the Anthropic tunnel is
     * archived again, so no half-made tunnel stays on either side. It has no token here: see {@link #stackConfig}.
     */
    public IssuedTunnel create(TenantContext context, NewTunnel request) {
        TunnelBackend backend = request.backend() == null ? TunnelBackend.PERIMETER : request.backend();
        Tenant tenant = tenants.get(context.tenantId());
        String region = regionFor(tenant, request.region());
        if (backend == TunnelBackend.ANTHROPIC) {
            return createAnthropic(tenant, region, request);
        }
        if (!request.routes().isEmpty() || request.caCertificatePem() != null) {
            throw new ValidationFailedException(
                    request.caCertificatePem() != null ? "caCertificatePem" : "routes",
                    "applies only to backend 'ANTHROPIC'");
        }
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
        saveWithinQuota(tenant, tunnel);
        return new IssuedTunnel(new TunnelView(tunnel, TunnelStatus.DISCONNECTED, 0, null), token.token());
    }

    private void saveWithinQuota(Tenant tenant, Tunnel tunnel) {
        Integer limit = tenant.getQuota().maxTunnels();
        transactions.executeWithoutResult(status -> {
            if (limit != null) {
                lockAndCheckQuota(tenant.getId(), limit);
            }
            tunnels.save(tunnel);
        });
    }

    private void lockAndCheckQuota(String tenantId, int limit) {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('tunnels'), hashtext(:tenant))")
                .param("tenant", tenantId)
                .query()
                .singleRow();
        long live = tunnels.countByTenantIdAndArchivedAtIsNull(tenantId);
        if (live >= limit) {
            throw new TunnelQuotaExceededException(limit, live, properties.heartbeatInterval());
        }
    }

    private IssuedTunnel createAnthropic(Tenant tenant, String region, NewTunnel request) {
        if (!anthropic.configured()) {
            throw new CapabilityUnsupportedException(
                    AnthropicTunnels.PROVIDER,
                    "backend",
                    "Backend 'ANTHROPIC' needs ANTHROPIC_API_KEY on this deployment; use 'PERIMETER'");
        }
        TunnelRoutes routes = TunnelRoutes.of(request.routes());
        String pem = request.caCertificatePem();
        if (pem != null) {
            CaCertificates.check(pem);
        }
        Integer limit = tenant.getQuota().maxTunnels();
        if (limit != null) {
            transactions.executeWithoutResult(status -> lockAndCheckQuota(tenant.getId(), limit));
        }
        AnthropicTunnels.RemoteTunnel remote = anthropic.create(request.name());
        try {
            if (pem != null) {
                anthropic.registerCertificate(remote.id(), pem);
            }
            Tunnel tunnel = new Tunnel(
                    Ids.next("tnl"),
                    tenant.getId(),
                    request.name(),
                    region,
                    remote.id(),
                    remote.domain(),
                    routes,
                    CorrelationId.current(),
                    clock.instant());
            saveWithinQuota(tenant, tunnel);
            return new IssuedTunnel(view(tunnel), null);
        } catch (RuntimeException e) {
            try {
                anthropic.archive(remote.id());
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
                log.error(
                        "Anthropic tunnel {} was created but could not be archived after a failed register; archive it"
                                + " in the Console",
                        remote.id());
            }
            throw e;
        }
    }

    /** Replaces an Anthropic tunnel's route table; the stack picks it up from {@link #stackConfig}. */
    public TunnelView replaceRoutes(TenantContext context, String tunnelId, @Nullable Map<String, String> routes) {
        TunnelRoutes table = TunnelRoutes.of(routes);
        Tunnel updated = transactions.execute(status -> {
            Tunnel tunnel = anthropicTunnel(locked(context.tenantId(), tunnelId));
            if (tunnel.isArchived()) {
                throw new TunnelArchivedException(tunnelId);
            }
            tunnel.replaceRoutes(table);
            return tunnels.save(tunnel);
        });
        return view(updated);
    }

    /** Registers a CA certificate on an Anthropic tunnel, which refuses MCP traffic until it has one. */
    public AnthropicTunnels.RegisteredCertificate registerCaCertificate(
            TenantContext context, String tunnelId, String pem) {
        CaCertificates.check(pem);
        Tunnel tunnel = anthropicTunnel(context.tenantId(), tunnelId);
        if (tunnel.isArchived()) {
            throw new TunnelArchivedException(tunnelId);
        }
        return anthropic.registerCertificate(String.valueOf(tunnel.getAnthropicTunnelId()), pem);
    }

    /**
     * The configuration of an Anthropic tunnel's stack: the {@code mcp-proxy} file and the {@code cloudflared}
     * environment. With {@code revealToken} the tunnel token is fetched from Anthropic for this answer only.
     */
    public StackConfig stackConfig(TenantContext context, String tunnelId, boolean revealToken) {
        Tunnel tunnel = anthropicTunnel(context.tenantId(), tunnelId);
        if (tunnel.isArchived()) {
            throw new TunnelArchivedException(tunnelId);
        }
        String domain = String.valueOf(tunnel.getDomain());
        Map<String, String> environment = new java.util.LinkedHashMap<>();
        environment.put("TUNNEL_DOMAIN", domain);
        if (revealToken) {
            environment.put("TUNNEL_TOKEN", anthropic.revealToken(String.valueOf(tunnel.getAnthropicTunnelId())));
        }
        AnthropicTunnelProperties settings = anthropic.settings();
        String proxyConfig = tunnel.routeTable()
                .proxyConfig(domain, settings.proxyListenAddr(), settings.proxyCertFile(), settings.proxyKeyFile());
        Map<String, String> mcpUrls = new java.util.TreeMap<>();
        tunnel.getRoutes().keySet().forEach(sub -> mcpUrls.put(sub, "https://" + sub + "." + domain + "/mcp"));
        return new StackConfig(tunnel.getId(), domain, proxyConfig, environment, mcpUrls);
    }

    /**
     * What an Anthropic tunnel's stack runs with.
     *
     * @param tunnelId our id
     * @param domain the tunnel's domain
     * @param proxyConfig the {@code /etc/mcp-gateway/config.yaml} of {@code mcp-proxy}
     * @param environment {@code TUNNEL_DOMAIN}, and {@code TUNNEL_TOKEN} when revealed
     * @param mcpUrls subdomain → the MCP URL Claude calls for it
     */
    public record StackConfig(
            String tunnelId,
            String domain,
            String proxyConfig,
            Map<String, String> environment,
            Map<String, String> mcpUrls) {}

    private Tunnel anthropicTunnel(String tenantId, String tunnelId) {
        return anthropicTunnel(find(tenantId, tunnelId));
    }

    private static Tunnel anthropicTunnel(Tunnel tunnel) {
        if (tunnel.getBackend() != TunnelBackend.ANTHROPIC) {
            throw new TunnelBackendException(
                    tunnel.getId(), TunnelBackend.PERIMETER, "only Anthropic tunnels have routes and a stack");
        }
        return tunnel;
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
            Tunnel tunnel = locked(context.tenantId(), tunnelId);
            if (tunnel.getBackend() == TunnelBackend.ANTHROPIC) {
                throw new TunnelBackendException(
                        tunnelId, TunnelBackend.ANTHROPIC, "rotate an Anthropic tunnel's token in Anthropic's Console");
            }
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
        Tunnel existing = find(context.tenantId(), tunnelId);
        if (existing.getBackend() == TunnelBackend.ANTHROPIC && !existing.isArchived()) {
            anthropic.archive(String.valueOf(existing.getAnthropicTunnelId()));
        }
        Tunnel archived = transactions.execute(status -> {
            Tunnel tunnel = locked(context.tenantId(), tunnelId);
            tunnel.archive(clock.instant());
            invalidations.publish(RELAY_TOPIC, tunnelId);
            return tunnels.save(tunnel);
        });
        events.publishEvent(new TunnelArchived(tunnelId));
        return view(archived);
    }

    /**
     * The tenant's tunnel, if this replica may relay calls to it: archived answers 410, another region's 403. Read on
     * every relayed call, so the row is kept in an {@link InvalidatingCache} that an archive empties on every replica as
     * it commits: an archive counts from the next call everywhere.
     */
    public RelayableTunnel relayable(String tenantId, String tunnelId) {
        checkId(tunnelId);
        RelayRow row = relayRows
                .get(tunnelId, this::readRelayRow)
                .filter(found -> found.tenantId().equals(tenantId))
                .orElseThrow(() -> new NoSuchTunnelException(tunnelId));
        if (row.backend() == TunnelBackend.ANTHROPIC) {
            throw new TunnelBackendException(
                    tunnelId,
                    TunnelBackend.ANTHROPIC,
                    "Claude reaches it at https://<subdomain>." + row.domain() + "/mcp through its tunnel stack");
        }
        if (row.archived()) {
            throw new TunnelArchivedException(tunnelId);
        }
        checkServed(tunnelId, row.region());
        return new RelayableTunnel(tunnelId, tenantId);
    }

    private Optional<RelayRow> readRelayRow(String tunnelId) {
        return jdbc.sql(
                        """
                        select tenant_id, region, backend, domain, archived_at is not null as archived from tunnels
                        where id = ?""")
                .param(tunnelId)
                .query((rs, n) -> new RelayRow(
                        rs.getString("tenant_id"),
                        rs.getString("region"),
                        TunnelBackend.valueOf(rs.getString("backend")),
                        rs.getString("domain"),
                        rs.getBoolean("archived")))
                .optional();
    }

    private record RelayRow(
            String tenantId, String region, TunnelBackend backend, @Nullable String domain, boolean archived) {}

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
                .filter(tunnel -> tunnel.getBackend() == TunnelBackend.PERIMETER)
                .filter(tunnel -> {
                    String hash = tunnel.getTokenHash();
                    return hash != null && TunnelToken.matches(token, hash);
                })
                .filter(tunnel -> !tunnel.isArchived());
        found.ifPresent(tunnel -> checkServed(tunnel.getId(), tunnel.getRegion()));
        return found.map(tunnel -> new AgentGrant(tunnel.getId(), tunnel.getTenantId(), tunnel.getTokenGeneration()));
    }

    private void checkServed(String tunnelId, String region) {
        String served = properties.region();
        if (!served.isEmpty() && !served.equals(region)) {
            throw new TunnelRegionException(
                    "Tunnel '" + tunnelId + "' belongs to region '" + region + "'; this deployment serves '" + served
                            + "'",
                    region);
        }
    }

    private Tunnel find(String tenantId, String tunnelId) {
        checkId(tunnelId);
        return tunnels.findByIdAndTenantId(tunnelId, tenantId).orElseThrow(() -> new NoSuchTunnelException(tunnelId));
    }

    /**
     * The tenant's tunnel, its row held until the caller's transaction ends: a rotation and an archive racing on two
     * replicas each see the other's change instead of writing back the row as it was (which could unarchive it).
     */
    private Tunnel locked(String tenantId, String tunnelId) {
        checkId(tunnelId);
        return tunnels.findLockedByIdAndTenantId(tunnelId, tenantId)
                .orElseThrow(() -> new NoSuchTunnelException(tunnelId));
    }

    private static void checkId(String tunnelId) {
        if (!Ids.looksLike("tnl", tunnelId)) {
            throw new NoSuchTunnelException(tunnelId.length() > 64 ? tunnelId.substring(0, 64) + "…" : tunnelId);
        }
    }

    private TunnelView view(Tunnel tunnel) {
        return view(tunnel, connections.liveOf(List.of(tunnel)).get(tunnel.getId()));
    }

    private static TunnelView view(Tunnel tunnel, TunnelConnections.@Nullable Live live) {
        int count = live == null ? 0 : live.connections();
        TunnelStatus status = tunnel.isArchived()
                ? TunnelStatus.ARCHIVED
                : tunnel.getBackend() == TunnelBackend.ANTHROPIC
                        ? TunnelStatus.EXTERNAL
                        : count > 0 ? TunnelStatus.CONNECTED : TunnelStatus.DISCONNECTED;
        return new TunnelView(tunnel, status, count, live == null ? tunnel.getLastSeenAt() : live.lastSeenAt());
    }
}
