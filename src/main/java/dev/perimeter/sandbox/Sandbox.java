package dev.perimeter.sandbox;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.jpa.StringListConverter;
import dev.perimeter.shared.jpa.StringMapConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.annotations.DynamicUpdate;
import org.jspecify.annotations.Nullable;

/**
 * A sandbox as Postgres records it. The row is written ({@code PROVISIONING}) before any provider call; state changes
 * after that are conditional updates in {@link SandboxTransitions}, so racing replicas cannot move it backwards. The
 * package-private mutators only mirror, in memory, an update that moved the row, so that it need not be read again.
 */
@Entity
@DynamicUpdate
@Table(name = "sandboxes")
public class Sandbox {

    @Id
    private String id = "";

    private String tenantId = "";

    private @Nullable String agentId;

    private String provider = "";

    private String region = "";

    @Enumerated(EnumType.STRING)
    private SandboxState state = SandboxState.PROVISIONING;

    private @Nullable String image;

    private int vcpus;

    private int memoryMib;

    private @Nullable String gpu;

    @Enumerated(EnumType.STRING)
    private EgressMode egressMode = EgressMode.DENY_ALL;

    @Convert(converter = StringListConverter.class)
    @Column(columnDefinition = "text")
    private List<String> egressAllow = List.of();

    @Convert(converter = StringMapConverter.class)
    @Column(columnDefinition = "text")
    private Map<String, String> labels = Map.of();

    private @Nullable String fromSnapshotId;

    private @Nullable String providerRef;

    private String correlationId = "";

    private BigDecimal costUsd = BigDecimal.ZERO;

    private BigDecimal reservedUsd = BigDecimal.ZERO;

    private Instant createdAt = Instant.EPOCH;

    private @Nullable Instant readyAt;

    private Instant expiresAt = Instant.EPOCH;

    private @Nullable Instant endedAt;

    private @Nullable String endReason;

    protected Sandbox() {}

    Sandbox(
            String id,
            String tenantId,
            @Nullable String agentId,
            String provider,
            String region,
            @Nullable String image,
            SandboxSpec.Resources resources,
            SandboxSpec.Egress egress,
            Map<String, String> labels,
            @Nullable String fromSnapshotId,
            String correlationId,
            Instant createdAt,
            Instant expiresAt,
            BigDecimal reservedUsd) {
        this.id = id;
        this.tenantId = tenantId;
        this.agentId = agentId;
        this.provider = provider;
        this.region = region;
        this.image = image;
        this.vcpus = resources.vcpus();
        this.memoryMib = resources.memoryMib();
        this.gpu = resources.gpu();
        this.egressMode = egress.mode();
        this.egressAllow = egress.allow();
        this.labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels)); // in the order a reload gives
        this.fromSnapshotId = fromSnapshotId;
        this.correlationId = correlationId;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
        this.reservedUsd = reservedUsd;
    }

    /** Sets what a row read through {@link SandboxTransitions#find} holds beyond what the constructor takes. */
    Sandbox withProgress(
            SandboxState state,
            @Nullable String providerRef,
            BigDecimal costUsd,
            @Nullable Instant readyAt,
            @Nullable Instant endedAt,
            @Nullable String endReason) {
        this.state = state;
        this.providerRef = providerRef;
        this.costUsd = costUsd;
        this.readyAt = readyAt;
        this.endedAt = endedAt;
        this.endReason = endReason;
        return this;
    }

    void running(String providerRef, Instant readyAt) {
        this.state = SandboxState.RUNNING;
        this.providerRef = providerRef;
        this.readyAt = readyAt;
    }

    void provisionedAs(String providerRef) {
        this.providerRef = providerRef;
    }

    void destroying(String reason) {
        this.state = SandboxState.DESTROYING;
        this.endReason = reason;
    }

    void destroyed(Instant endedAt) {
        this.state = SandboxState.DESTROYED;
        this.endedAt = endedAt;
    }

    public String getId() {
        return id;
    }

    public String getTenantId() {
        return tenantId;
    }

    public @Nullable String getAgentId() {
        return agentId;
    }

    public String getProvider() {
        return provider;
    }

    public String getRegion() {
        return region;
    }

    public SandboxState getState() {
        return state;
    }

    public @Nullable String getImage() {
        return image;
    }

    public SandboxSpec.Resources getResources() {
        return new SandboxSpec.Resources(vcpus, memoryMib, gpu);
    }

    public SandboxSpec.Egress getEgress() {
        return new SandboxSpec.Egress(egressMode, egressAllow);
    }

    public Map<String, String> getLabels() {
        return labels;
    }

    public @Nullable String getFromSnapshotId() {
        return fromSnapshotId;
    }

    public @Nullable String getProviderRef() {
        return providerRef;
    }

    /** The reference to pass to the provider: the one it returned, or our id when create never answered. */
    public String providerRefOrId() {
        return providerRef != null ? providerRef : id;
    }

    public String getCorrelationId() {
        return correlationId;
    }

    /** What is still set aside for this sandbox of its create's estimate; zero once it has ended. */
    public BigDecimal getReservedUsd() {
        return reservedUsd;
    }

    public BigDecimal getCostUsd() {
        return costUsd;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public @Nullable Instant getReadyAt() {
        return readyAt;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }

    public @Nullable Instant getEndedAt() {
        return endedAt;
    }

    public @Nullable String getEndReason() {
        return endReason;
    }
}
