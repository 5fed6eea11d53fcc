package dev.perimeter.tenant;

import dev.perimeter.shared.jpa.StringListConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** An organisation whose orchestrators run sandboxes: the unit of isolation, quota and budget. */
@Entity
@Table(name = "tenants")
public class Tenant {

    @Id
    private String id;

    private String displayName;

    private @Nullable String defaultProvider;

    private @Nullable String defaultRegion;

    @Convert(converter = StringListConverter.class)
    @Column(columnDefinition = "text")
    private List<String> allowedProviders;

    @Convert(converter = StringListConverter.class)
    @Column(columnDefinition = "text")
    private List<String> allowedRegions;

    private @Nullable Integer maxParallelSandboxes;

    private @Nullable Integer maxParallelSandboxesPerAgent;

    private @Nullable Long maxSandboxLifetimeSeconds;

    private @Nullable Integer maxVcpusPerSandbox;

    private @Nullable Integer maxMemoryMibPerSandbox;

    private @Nullable Integer maxSnapshots;

    private @Nullable Integer maxTunnels;

    private @Nullable BigDecimal budgetLimitUsd;

    @Enumerated(EnumType.STRING)
    private Budget.@Nullable Period budgetPeriod;

    @Enumerated(EnumType.STRING)
    private Budget.@Nullable OnExhausted budgetOnExhausted;

    private Instant createdAt;

    private Instant updatedAt;

    protected Tenant() {
        this.id = "";
        this.displayName = "";
        this.allowedProviders = List.of();
        this.allowedRegions = List.of();
        this.createdAt = Instant.EPOCH;
        this.updatedAt = Instant.EPOCH;
    }

    Tenant(String id, String displayName, Instant now) {
        this.id = id;
        this.displayName = displayName;
        this.allowedProviders = List.of();
        this.allowedRegions = List.of();
        this.createdAt = now;
        this.updatedAt = now;
    }

    public String getId() {
        return id;
    }

    public String getDisplayName() {
        return displayName;
    }

    public @Nullable String getDefaultProvider() {
        return defaultProvider;
    }

    public @Nullable String getDefaultRegion() {
        return defaultRegion;
    }

    /** Providers this tenant may use; empty means any configured provider. */
    public List<String> getAllowedProviders() {
        return allowedProviders;
    }

    /** Regions this tenant may use; empty means any region its providers offer. */
    public List<String> getAllowedRegions() {
        return allowedRegions;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    /** Whether the tenant may place sandboxes on that provider. */
    public boolean allowsProvider(String provider) {
        return allowedProviders.isEmpty() || allowedProviders.contains(provider);
    }

    /** Whether the tenant may place sandboxes in that region. */
    public boolean allowsRegion(String region) {
        return allowedRegions.isEmpty() || allowedRegions.contains(region);
    }

    /** The tenant's limits. */
    public Quota getQuota() {
        return new Quota(
                maxParallelSandboxes,
                maxParallelSandboxesPerAgent,
                maxSandboxLifetimeSeconds == null ? null : Duration.ofSeconds(maxSandboxLifetimeSeconds),
                maxVcpusPerSandbox,
                maxMemoryMibPerSandbox,
                maxSnapshots,
                maxTunnels);
    }

    /** The tenant's spending limit, or {@code null} for none. */
    public @Nullable Budget getBudget() {
        if (budgetLimitUsd == null || budgetPeriod == null || budgetOnExhausted == null) {
            return null;
        }
        return new Budget(budgetLimitUsd, budgetPeriod, budgetOnExhausted);
    }

    /** Everything an admin set on the tenant. */
    public TenantSettings getSettings() {
        return new TenantSettings(
                displayName, defaultProvider, defaultRegion, allowedProviders, allowedRegions, getQuota(), getBudget());
    }

    void apply(TenantSettings settings) {
        this.displayName = settings.displayName();
        this.defaultProvider = settings.defaultProvider();
        this.defaultRegion = settings.defaultRegion();
        this.allowedProviders = List.copyOf(settings.allowedProviders());
        this.allowedRegions = List.copyOf(settings.allowedRegions());
        applyQuota(settings.quota());
        applyBudget(settings.budget());
    }

    void applyQuota(Quota quota) {
        this.maxParallelSandboxes = quota.maxParallelSandboxes();
        this.maxParallelSandboxesPerAgent = quota.maxParallelSandboxesPerAgent();
        this.maxSandboxLifetimeSeconds = quota.maxSandboxLifetime() == null
                ? null
                : quota.maxSandboxLifetime().toSeconds();
        this.maxVcpusPerSandbox = quota.maxVcpusPerSandbox();
        this.maxMemoryMibPerSandbox = quota.maxMemoryMibPerSandbox();
        this.maxSnapshots = quota.maxSnapshots();
        this.maxTunnels = quota.maxTunnels();
    }

    void applyBudget(@Nullable Budget budget) {
        this.budgetLimitUsd = budget == null ? null : budget.limitUsd();
        this.budgetPeriod = budget == null ? null : budget.period();
        this.budgetOnExhausted = budget == null ? null : budget.onExhausted();
    }

    void touch(Instant now) {
        this.updatedAt = now;
    }
}
