package dev.perimeter.tenant.web;

import dev.perimeter.audit.AuditTarget;
import dev.perimeter.audit.Audited;
import dev.perimeter.shared.JsonMergePatch;
import dev.perimeter.shared.Money;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.Tenant;
import dev.perimeter.tenant.TenantManagement;
import dev.perimeter.tenant.TenantUsage;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Admin endpoints for tenants, their quotas and budgets. */
@RestController
@RequestMapping("/v1/tenants")
class TenantController {

    private static final Set<String> PATCHABLE = Set.of(
            "displayName", "defaultProvider", "defaultRegion", "allowedProviders", "allowedRegions", "quota", "budget");

    private final TenantManagement tenants;
    private final TenantUsage usage;
    private final JsonMapper json;
    private final Validator validator;

    TenantController(TenantManagement tenants, TenantUsage usage, JsonMapper json, Validator validator) {
        this.tenants = tenants;
        this.usage = usage;
        this.json = json;
        this.validator = validator;
    }

    @Audited("tenant.create")
    @PostMapping
    ResponseEntity<TenantResponse> create(@Valid @RequestBody CreateTenantRequest request) {
        Tenant tenant = tenants.create(Objects.requireNonNull(request.id()), request.toSettings());
        AuditTarget.set(tenant.getId(), tenant.getId());
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

    /** RFC 7396 merge patch of the fields {@code POST} takes, except {@code id}. */
    @Audited("tenant.update")
    @PatchMapping(
            path = "/{tenantId}",
            consumes = {"application/merge-patch+json", "application/json"})
    TenantResponse patch(@PathVariable String tenantId, @RequestBody JsonNode patch) {
        if (!patch.isObject()) {
            throw new ValidationFailedException("body", "must be a JSON object");
        }
        List<ValidationFailedException.FieldError> unknown = patch.propertyNames().stream()
                .filter(name -> !PATCHABLE.contains(name))
                .map(name -> new ValidationFailedException.FieldError(
                        name,
                        "cannot be changed; changeable: "
                                + PATCHABLE.stream().sorted().toList()))
                .toList();
        if (!unknown.isEmpty()) {
            throw new ValidationFailedException(unknown);
        }
        return toResponse(tenants.edit(tenantId, current -> {
            JsonNode before = json.valueToTree(CreateTenantRequest.of(tenantId, current));
            CreateTenantRequest merged =
                    json.treeToValue(JsonMergePatch.apply(before, patch), CreateTenantRequest.class);
            validate(merged);
            return merged.toSettings();
        }));
    }

    @Audited("tenant.quota.set")
    @PutMapping("/{tenantId}/quota")
    TenantResponse putQuota(@PathVariable String tenantId, @Valid @RequestBody QuotaBody quota) {
        return toResponse(tenants.setQuota(tenantId, quota.toQuota("")));
    }

    @Audited("tenant.budget.set")
    @PutMapping("/{tenantId}/budget")
    TenantResponse putBudget(@PathVariable String tenantId, @Valid @RequestBody BudgetBody budget) {
        return toResponse(tenants.setBudget(tenantId, budget.toBudget()));
    }

    private void validate(CreateTenantRequest request) {
        Set<ConstraintViolation<CreateTenantRequest>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw new ValidationFailedException(violations.stream()
                    .map(v -> new ValidationFailedException.FieldError(
                            v.getPropertyPath().toString(), v.getMessage()))
                    .sorted(java.util.Comparator.comparing(ValidationFailedException.FieldError::field))
                    .toList());
        }
    }

    private TenantResponse toResponse(Tenant tenant) {
        return new TenantResponse(
                tenant.getId(),
                tenant.getDisplayName(),
                tenant.getDefaultProvider(),
                tenant.getDefaultRegion(),
                tenant.getAllowedProviders(),
                tenant.getAllowedRegions(),
                QuotaBody.of(tenant.getQuota()),
                BudgetBody.View.of(tenant.getBudget()),
                tenant.getCreatedAt(),
                tenant.getUpdatedAt(),
                usage.activeSandboxes(tenant.getId()),
                Money.format(usage.spentThisPeriodUsd(tenant.getId())));
    }

    /** A tenant as the API shows it, with its live counts. */
    record TenantResponse(
            String id,
            String displayName,
            @Nullable String defaultProvider,
            @Nullable String defaultRegion,
            List<String> allowedProviders,
            List<String> allowedRegions,
            QuotaBody quota,
            BudgetBody.@Nullable View budget,
            Instant createdAt,
            Instant updatedAt,
            long activeSandboxes,
            String spentThisPeriodUsd) {}
}
