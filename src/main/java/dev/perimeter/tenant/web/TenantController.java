package dev.perimeter.tenant.web;

import dev.perimeter.shared.Page;
import dev.perimeter.tenant.Tenant;
import dev.perimeter.tenant.TenantManagement;
import dev.perimeter.tenant.TenantUsage;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Admin endpoints for tenants. */
@RestController
@RequestMapping("/v1/tenants")
class TenantController {

    private final TenantManagement tenants;
    private final TenantUsage usage;

    TenantController(TenantManagement tenants, TenantUsage usage) {
        this.tenants = tenants;
        this.usage = usage;
    }

    @PostMapping
    ResponseEntity<TenantResponse> create(@Valid @RequestBody CreateTenantRequest request) {
        Tenant tenant = tenants.create(request.toNewTenant());
        return ResponseEntity.created(URI.create("/v1/tenants/" + tenant.getId()))
                .body(toResponse(tenant));
    }

    @GetMapping
    Page<TenantResponse> list(
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer limit) {
        return tenants.list(cursor, limit).map(this::toResponse);
    }

    @GetMapping("/{tenantId}")
    TenantResponse get(@PathVariable String tenantId) {
        return toResponse(tenants.get(tenantId));
    }

    private TenantResponse toResponse(Tenant tenant) {
        return new TenantResponse(
                tenant.getId(),
                tenant.getDisplayName(),
                tenant.getDefaultProvider(),
                tenant.getDefaultRegion(),
                tenant.getAllowedProviders(),
                tenant.getAllowedRegions(),
                tenant.getCreatedAt(),
                usage.activeSandboxes(tenant.getId()));
    }

    /** A tenant as the API shows it, with its live counts. */
    record TenantResponse(
            String id,
            String displayName,
            @Nullable String defaultProvider,
            @Nullable String defaultRegion,
            List<String> allowedProviders,
            List<String> allowedRegions,
            Instant createdAt,
            long activeSandboxes) {}
}
