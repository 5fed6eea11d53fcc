package dev.perimeter.tenant;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** An API key as stored: its non-secret prefix and the SHA-256 of the whole key, never the key itself. */
@Entity
@Table(name = "api_keys")
public class ApiKey {

    @Id
    private String id;

    private @Nullable String tenantId;

    @Enumerated(EnumType.STRING)
    private Caller.Role role;

    private String name;

    private String prefix;

    private String secretHash;

    private Instant createdAt;

    private @Nullable Instant revokedAt;

    protected ApiKey() {
        this.id = "";
        this.role = Caller.Role.TENANT;
        this.name = "";
        this.prefix = "";
        this.secretHash = "";
        this.createdAt = Instant.EPOCH;
    }

    ApiKey(
            String id,
            @Nullable String tenantId,
            Caller.Role role,
            String name,
            String prefix,
            String secretHash,
            Instant createdAt) {
        this.id = id;
        this.tenantId = tenantId;
        this.role = role;
        this.name = name;
        this.prefix = prefix;
        this.secretHash = secretHash;
        this.createdAt = createdAt;
    }

    public String getId() {
        return id;
    }

    public @Nullable String getTenantId() {
        return tenantId;
    }

    public Caller.Role getRole() {
        return role;
    }

    public String getName() {
        return name;
    }

    public String getPrefix() {
        return prefix;
    }

    String getSecretHash() {
        return secretHash;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public @Nullable Instant getRevokedAt() {
        return revokedAt;
    }

    void revoke(Instant now) {
        if (revokedAt == null) {
            revokedAt = now;
        }
    }
}
