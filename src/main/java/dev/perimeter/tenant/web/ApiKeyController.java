package dev.perimeter.tenant.web;

import dev.perimeter.audit.AuditTarget;
import dev.perimeter.audit.Audited;
import dev.perimeter.tenant.ApiKey;
import dev.perimeter.tenant.ApiKeyManagement;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin endpoints for a tenant's API keys. */
@RestController
@RequestMapping("/v1/tenants/{tenantId}/api-keys")
class ApiKeyController {

    private final ApiKeyManagement keys;

    ApiKeyController(ApiKeyManagement keys) {
        this.keys = keys;
    }

    @Audited("apikey.create")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ApiKeyResponse issue(@PathVariable String tenantId, @Valid @RequestBody IssueKeyRequest request) {
        ApiKeyManagement.IssuedKey issued = keys.issueTenantKey(
                tenantId, Objects.requireNonNull(request.name()).strip());
        AuditTarget.set(issued.key().getId());
        return ApiKeyResponse.of(issued.key(), issued.secret());
    }

    @GetMapping
    KeyList list(@PathVariable String tenantId) {
        return new KeyList(keys.tenantKeys(tenantId).stream()
                .map(key -> ApiKeyResponse.of(key, null))
                .toList());
    }

    @Audited("apikey.revoke")
    @DeleteMapping("/{keyId}")
    ApiKeyResponse revoke(@PathVariable String tenantId, @PathVariable String keyId) {
        return ApiKeyResponse.of(keys.revokeTenantKey(tenantId, keyId), null);
    }

    /** Body of {@code POST …/api-keys}. */
    record IssueKeyRequest(@NotBlank @Size(max = 200) @Nullable String name) {}

    /** A list of keys; a tenant has few, so it is not paged. */
    record KeyList(List<ApiKeyResponse> items, @Nullable String nextCursor) {
        KeyList(List<ApiKeyResponse> items) {
            this(items, null);
        }
    }

    /** A key as the API shows it; {@code key} is present only in the response that issues it. */
    record ApiKeyResponse(
            String id,
            String name,
            String prefix,
            @Nullable String key,
            Instant createdAt,
            @Nullable Instant revokedAt) {

        static ApiKeyResponse of(ApiKey key, @Nullable String secret) {
            return new ApiKeyResponse(
                    key.getId(), key.getName(), key.getPrefix(), secret, key.getCreatedAt(), key.getRevokedAt());
        }
    }
}
