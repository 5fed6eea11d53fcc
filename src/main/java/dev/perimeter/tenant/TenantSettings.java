package dev.perimeter.tenant;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything an admin sets on a tenant.
 *
 * @param displayName human name
 * @param defaultProvider provider used when a create names none, or {@code null} for the platform default
 * @param defaultRegion region used when a create names none, or {@code null} for the provider's default
 * @param allowedProviders providers the tenant may use; empty for any
 * @param allowedRegions regions the tenant may use; empty for any
 * @param quota the tenant's limits
 * @param budget the tenant's spending limit, or {@code null} for none
 */
public record TenantSettings(
        String displayName,
        @Nullable String defaultProvider,
        @Nullable String defaultRegion,
        List<String> allowedProviders,
        List<String> allowedRegions,
        Quota quota,
        @Nullable Budget budget) {}
