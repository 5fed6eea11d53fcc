package dev.perimeter.tenant.web;

import dev.perimeter.tenant.TenantManagement;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Body of {@code POST /v1/tenants}. */
record CreateTenantRequest(
        @NotNull @Pattern(regexp = SLUG, message = "must be 3 to 63 characters of a-z, 0-9 and -") @Nullable String id,
        @NotBlank @Size(max = 200) @Nullable String displayName,
        @Pattern(regexp = NAME, message = "must be a provider name") @Nullable String defaultProvider,
        @Pattern(regexp = NAME, message = "must be a region name") @Nullable String defaultRegion,
        @Size(max = 16) @Nullable
                List<@NotNull @Pattern(regexp = NAME, message = "must be a provider name") String> allowedProviders,
        @Size(max = 64) @Nullable
                List<@NotNull @Pattern(regexp = NAME, message = "must be a region name") String> allowedRegions) {

    static final String SLUG = "[a-z0-9-]{3,63}";
    static final String NAME = "[a-z0-9-]{1,63}";

    TenantManagement.NewTenant toNewTenant() {
        return new TenantManagement.NewTenant(
                Objects.requireNonNull(id),
                Objects.requireNonNull(displayName).strip(),
                defaultProvider,
                defaultRegion,
                allowedProviders == null ? List.of() : allowedProviders,
                allowedRegions == null ? List.of() : allowedRegions);
    }
}
