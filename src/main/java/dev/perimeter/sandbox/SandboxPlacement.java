package dev.perimeter.sandbox;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ProviderCapabilities;
import dev.perimeter.provider.ProviderRegistry;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.CapabilityUnsupportedException;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.Quota;
import dev.perimeter.tenant.Tenant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Decides where a new sandbox goes and with what settings: the request's choice, else the tenant's default, else the
 * platform's; then refuses what the tenant may not use or the provider cannot honour.
 */
@Component
class SandboxPlacement {

    private final ProviderRegistry providers;
    private final SandboxProperties properties;

    SandboxPlacement(ProviderRegistry providers, SandboxProperties properties) {
        this.providers = providers;
        this.properties = properties;
    }

    /**
     * A decided placement.
     *
     * @param provider the provider to call
     * @param region the region to place it in
     * @param resources the size
     * @param egress the network policy
     * @param lifetime how long it may live
     */
    record Placement(
            SandboxProvider provider,
            String region,
            SandboxSpec.Resources resources,
            SandboxSpec.Egress egress,
            Duration lifetime) {}

    Placement place(Tenant tenant, NewSandbox request) {
        String providerName = firstOf(request.provider(), tenant.getDefaultProvider(), properties.defaultProvider());
        if (!tenant.allowsProvider(providerName)) {
            throw PlacementNotAllowedException.provider(providerName);
        }
        SandboxProvider provider = providers.get(providerName);
        ProviderCapabilities capabilities = provider.capabilities();
        String region = region(tenant, request, capabilities);
        if (!tenant.allowsRegion(region)) {
            throw PlacementNotAllowedException.region(region);
        }
        if (!capabilities.regions().contains(region)) {
            throw new CapabilityUnsupportedException(
                    providerName,
                    "region",
                    "Provider '" + providerName + "' has no region '" + region + "'; it offers "
                            + capabilities.regions().stream().sorted().toList());
        }
        SandboxSpec.Resources resources = request.resources() != null
                ? request.resources()
                : new SandboxSpec.Resources(properties.defaultVcpus(), properties.defaultMemoryMib(), null);
        withinQuota(tenant.getQuota(), resources);
        if (resources.gpu() != null && !capabilities.gpu()) {
            throw new CapabilityUnsupportedException(
                    providerName, "resources.gpu", "Provider '" + providerName + "' cannot attach a GPU");
        }
        if (request.image() != null && !capabilities.customImages()) {
            throw new CapabilityUnsupportedException(
                    providerName, "image", "Provider '" + providerName + "' runs its own image and cannot run another");
        }
        SandboxSpec.Egress egress = request.egress() != null ? request.egress() : SandboxSpec.Egress.denyAll();
        if (!capabilities.egressModes().contains(egress.mode())) {
            throw new CapabilityUnsupportedException(
                    providerName,
                    "egress.mode",
                    "Provider '" + providerName + "' cannot enforce egress mode " + egress.mode());
        }
        if (egress.mode() != EgressMode.ALLOWLIST && !egress.allow().isEmpty()) {
            throw new ValidationFailedException("egress.allow", "is only allowed with mode ALLOWLIST");
        }
        return new Placement(
                provider, region, resources, egress, lifetime(tenant.getQuota(), request, capabilities, providerName));
    }

    private String region(Tenant tenant, NewSandbox request, ProviderCapabilities capabilities) {
        String chosen = firstOrNull(request.region(), tenant.getDefaultRegion(), properties.defaultRegion());
        if (chosen != null) {
            return chosen;
        }
        return capabilities.regions().stream()
                .min(Comparator.naturalOrder())
                .orElseThrow(() -> new IllegalStateException("A provider offers no region"));
    }

    private static void withinQuota(Quota quota, SandboxSpec.Resources resources) {
        List<ValidationFailedException.FieldError> errors = new ArrayList<>();
        if (quota.maxVcpusPerSandbox() != null && resources.vcpus() > quota.maxVcpusPerSandbox()) {
            errors.add(new ValidationFailedException.FieldError(
                    "resources.vcpus", "must be at most " + quota.maxVcpusPerSandbox() + " (the tenant's quota)"));
        }
        if (quota.maxMemoryMibPerSandbox() != null && resources.memoryMib() > quota.maxMemoryMibPerSandbox()) {
            errors.add(new ValidationFailedException.FieldError(
                    "resources.memoryMib",
                    "must be at most " + quota.maxMemoryMibPerSandbox() + " (the tenant's quota)"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
    }

    private Duration lifetime(Quota quota, NewSandbox request, ProviderCapabilities capabilities, String providerName) {
        Duration tenantMax = quota.maxSandboxLifetime();
        Duration lifetime = request.lifetime() != null ? request.lifetime() : properties.defaultLifetime();
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new ValidationFailedException("timeout", "must be a positive duration");
        }
        if (tenantMax != null && lifetime.compareTo(tenantMax) > 0) {
            if (request.lifetime() == null) {
                lifetime = tenantMax;
            } else {
                throw new ValidationFailedException(
                        "timeout", "must be at most " + tenantMax + " (the tenant's quota)");
            }
        }
        if (lifetime.compareTo(properties.maxLifetime()) > 0) {
            throw new ValidationFailedException("timeout", "must be at most " + properties.maxLifetime());
        }
        if (capabilities.maxLifetime() != null && lifetime.compareTo(capabilities.maxLifetime()) > 0) {
            throw new CapabilityUnsupportedException(
                    providerName,
                    "timeout",
                    "Provider '" + providerName + "' keeps a sandbox at most " + capabilities.maxLifetime());
        }
        return lifetime;
    }

    private static String firstOf(@Nullable String first, @Nullable String second, String fallback) {
        String value = firstOrNull(first, second, fallback);
        return value != null ? value : fallback;
    }

    private static @Nullable String firstOrNull(@Nullable String... values) {
        for (String value : values) {
            if (StringUtils.hasText(value)) {
                return value;
            }
        }
        return null;
    }
}
