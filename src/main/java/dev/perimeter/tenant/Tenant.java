package dev.perimeter.tenant;

import dev.perimeter.shared.jpa.StringListConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
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

    void setDisplayName(String displayName) {
        this.displayName = displayName;
    }

    void setPlacement(
            @Nullable String defaultProvider,
            @Nullable String defaultRegion,
            List<String> allowedProviders,
            List<String> allowedRegions) {
        this.defaultProvider = defaultProvider;
        this.defaultRegion = defaultRegion;
        this.allowedProviders = List.copyOf(allowedProviders);
        this.allowedRegions = List.copyOf(allowedRegions);
    }

    void touch(Instant now) {
        this.updatedAt = now;
    }
}
