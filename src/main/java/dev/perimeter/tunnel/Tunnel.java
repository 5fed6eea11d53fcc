package dev.perimeter.tunnel;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A registered tunnel: its tenant, region and the hash of its current token, never the token itself. */
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

    private String tokenPrefix;

    private String tokenHash;

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
        this.tokenPrefix = "";
        this.tokenHash = "";
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

    String getTokenPrefix() {
        return tokenPrefix;
    }

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
