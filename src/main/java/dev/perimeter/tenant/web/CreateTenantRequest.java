package dev.perimeter.tenant.web;

import dev.perimeter.tenant.Quota;
import dev.perimeter.tenant.TenantSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /v1/tenants}; with the tenant's current settings merged with a patch, also what
 * {@code PATCH /v1/tenants/{id}} validates.
 */
record CreateTenantRequest(
        @NotNull @Pattern(regexp = SLUG, message = "must be 3 to 63 characters of a-z, 0-9 and -") @Nullable String id,
        @NotBlank @Size(max = 200) @Nullable String displayName,
        @Pattern(regexp = NAME, message = "must be a provider name") @Nullable String defaultProvider,
        @Pattern(regexp = NAME, message = "must be a region name") @Nullable String defaultRegion,
        @Size(max = 16) @Nullable
                List<@NotNull @Pattern(regexp = NAME, message = "must be a provider name") String> allowedProviders,
        @Size(max = 64) @Nullable
                List<@NotNull @Pattern(regexp = NAME, message = "must be a region name") String> allowedRegions,
        @Valid @Nullable QuotaBody quota,
        @Valid @Nullable BudgetBody budget) {

    static final String SLUG = "[a-z0-9-]{3,63}";
    static final String NAME = "[a-z0-9-]{1,63}";

    static CreateTenantRequest of(String id, TenantSettings settings) {
        return new CreateTenantRequest(
                id,
                settings.displayName(),
                settings.defaultProvider(),
                settings.defaultRegion(),
                settings.allowedProviders(),
                settings.allowedRegions(),
                QuotaBody.of(settings.quota()),
                settings.budget() == null
                        ? null
                        : new BudgetBody(
                                settings.budget().limitUsd(),
                                settings.budget().period(),
                                settings.budget().onExhausted()));
    }

    TenantSettings toSettings() {
        return new TenantSettings(
                Objects.requireNonNull(displayName).strip(),
                defaultProvider,
                defaultRegion,
                allowedProviders == null ? List.of() : allowedProviders,
                allowedRegions == null ? List.of() : allowedRegions,
                quota == null ? Quota.UNLIMITED : quota.toQuota("quota."),
                budget == null ? null : budget.toBudget());
    }
}
