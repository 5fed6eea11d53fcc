package dev.perimeter.tunnel;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import org.hibernate.annotations.ColumnTransformer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A registered tunnel: its tenant, region and the hash of its current token, never the token itself. An Anthropic
 * tunnel has no token here at all (Anthropic keeps it); it has Anthropic's id, its domain and its route table.
 */
@Entity
@Table(name = "tunnels")
public class Tunnel {

    @Id
    private String id;

    private String tenantId;

    private String name;

    private String region;

    @Enumerated(EnumType.STRING)
    private TunnelBackend backend;

    private @Nullable String upstream;

    private @Nullable String tokenPrefix;

    private @Nullable String tokenHash;

    private @Nullable String anthropicTunnelId;

    private @Nullable String domain;

    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "cast(? as jsonb)")
    private String routes = "{}";

    private int tokenGeneration;

    private String correlationId;

    private Instant createdAt;

    private @Nullable Instant tokenRotatedAt;

    private @Nullable Instant lastSeenAt;

    private @Nullable Instant archivedAt;

    protected Tunnel() {
        this.id = "";
        this.tenantId = "";
        this.name = "";
        this.region = "";
        this.backend = TunnelBackend.PERIMETER;
        this.correlationId = "";
        this.createdAt = Instant.EPOCH;
    }

    Tunnel(
            String id,
            String tenantId,
            String name,
            String region,
            TunnelBackend backend,
            @Nullable String upstream,
            TunnelToken.Issued token,
            String correlationId,
            Instant now) {
        this.id = id;
        this.tenantId = tenantId;
        this.name = name;
        this.region = region;
        this.backend = backend;
        this.upstream = upstream;
        this.tokenPrefix = token.prefix();
        this.tokenHash = token.hash();
        this.tokenGeneration = 1;
        this.correlationId = correlationId;
        this.createdAt = now;
    }

    /** An Anthropic tunnel: Anthropic holds its token. */
    Tunnel(
            String id,
            String tenantId,
            String name,
            String region,
            String anthropicTunnelId,
            String domain,
            TunnelRoutes routes,
            String correlationId,
            Instant now) {
        this.id = id;
        this.tenantId = tenantId;
        this.name = name;
        this.region = region;
        this.backend = TunnelBackend.ANTHROPIC;
        this.anthropicTunnelId = anthropicTunnelId;
        this.domain = domain;
        this.routes = JSON.writeValueAsString(routes.table());
        this.correlationId = correlationId;
        this.createdAt = now;
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public String getId() {
        return id;
    }

    public String getTenantId() {
        return tenantId;
    }

    public String getName() {
        return name;
    }

    public String getRegion() {
        return region;
    }

    public TunnelBackend getBackend() {
        return backend;
    }

    /** What the tenant said the agent forwards to; informational, the agent's own setting decides. */
    public @Nullable String getUpstream() {
        return upstream;
    }

    /** Counts rotations: connections opened with an older generation drain. */
    public int getTokenGeneration() {
        return tokenGeneration;
    }

    public String getCorrelationId() {
        return correlationId;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public @Nullable Instant getTokenRotatedAt() {
        return tokenRotatedAt;
    }

    /** When an agent connection of this tunnel last proved alive, kept after it closes. */
    public @Nullable Instant getLastSeenAt() {
        return lastSeenAt;
    }

    public @Nullable Instant getArchivedAt() {
        return archivedAt;
    }

    public boolean isArchived() {
        return archivedAt != null;
    }

    /** Anthropic's id of an Anthropic tunnel ({@code tnl_…}), or {@code null}. */
    public @Nullable String getAnthropicTunnelId() {
        return anthropicTunnelId;
    }

    /** The Anthropic-assigned domain whose subdomains route through an Anthropic tunnel, or {@code null}. */
    public @Nullable String getDomain() {
        return domain;
    }

    /** The route table of an Anthropic tunnel: subdomain → private MCP server URL; empty for Perimeter's. */
    public SortedMap<String, String> getRoutes() {
        return routeTable().table();
    }

    TunnelRoutes routeTable() {
        Map<String, String> table = JSON.readValue(routes, new TypeReference<Map<String, String>>() {});
        return new TunnelRoutes(new java.util.TreeMap<>(table));
    }

    void replaceRoutes(TunnelRoutes replacement) {
        this.routes = JSON.writeValueAsString(replacement.table());
    }

    @Nullable
    String getTokenPrefix() {
        return tokenPrefix;
    }

    @Nullable
    String getTokenHash() {
        return tokenHash;
    }

    void rotate(TunnelToken.Issued token, Instant now) {
        this.tokenPrefix = token.prefix();
        this.tokenHash = token.hash();
        this.tokenGeneration++;
        this.tokenRotatedAt = now;
    }

    void archive(Instant now) {
        if (archivedAt == null) {
            archivedAt = now;
        }
    }
}
