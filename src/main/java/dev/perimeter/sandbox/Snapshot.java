package dev.perimeter.sandbox;

import dev.perimeter.provider.SnapshotPersistence;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import org.hibernate.annotations.DynamicUpdate;
import org.jspecify.annotations.Nullable;

/** A captured sandbox workspace that new sandboxes can start from. */
@Entity
@DynamicUpdate
@Table(name = "snapshots")
public class Snapshot {

    @Id
    private String id = "";

    private String sandboxId = "";

    private String tenantId = "";

    private String provider = "";

    private @Nullable String name;

    @Enumerated(EnumType.STRING)
    private SnapshotPersistence persistence = SnapshotPersistence.PERSISTENT;

    @Enumerated(EnumType.STRING)
    private SnapshotState state = SnapshotState.CREATING;

    private @Nullable Long sizeBytes;

    private @Nullable String providerRef;

    private String correlationId = "";

    private BigDecimal costUsd = BigDecimal.ZERO;

    private Instant createdAt = Instant.EPOCH;

    private @Nullable Instant expiresAt;

    private @Nullable String failure;

    protected Snapshot() {}

    Snapshot(
            String id,
            Sandbox sandbox,
            @Nullable String name,
            SnapshotPersistence persistence,
            String correlationId,
            Instant createdAt,
            @Nullable Instant expiresAt) {
        this.id = id;
        this.sandboxId = sandbox.getId();
        this.tenantId = sandbox.getTenantId();
        this.provider = sandbox.getProvider();
        this.name = name;
        this.persistence = persistence;
        this.correlationId = correlationId;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
    }

    public String getId() {
        return id;
    }

    public String getSandboxId() {
        return sandboxId;
    }

    public String getTenantId() {
        return tenantId;
    }

    public String getProvider() {
        return provider;
    }

    public @Nullable String getName() {
        return name;
    }

    public SnapshotPersistence getPersistence() {
        return persistence;
    }

    public SnapshotState getState() {
        return state;
    }

    public @Nullable Long getSizeBytes() {
        return sizeBytes;
    }

    public @Nullable String getProviderRef() {
        return providerRef;
    }

    public String getCorrelationId() {
        return correlationId;
    }

    public BigDecimal getCostUsd() {
        return costUsd;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public @Nullable Instant getExpiresAt() {
        return expiresAt;
    }

    void ready(String providerRef, long sizeBytes, SnapshotPersistence persistence) {
        this.state = SnapshotState.READY;
        this.providerRef = providerRef;
        this.sizeBytes = sizeBytes;
        this.persistence = persistence;
    }

    /** Brings {@code expiresAt} forward to when the vendor itself deletes the snapshot, if that is sooner. */
    void expireNoLaterThan(@Nullable Instant vendorExpiry) {
        if (vendorExpiry != null && (expiresAt == null || vendorExpiry.isBefore(expiresAt))) {
            this.expiresAt = vendorExpiry;
        }
    }

    void fail(String failure) {
        this.state = SnapshotState.FAILED;
        this.failure = failure.length() > 500 ? failure.substring(0, 500) : failure;
    }

    void end(SnapshotState endState) {
        this.state = endState;
    }
}
