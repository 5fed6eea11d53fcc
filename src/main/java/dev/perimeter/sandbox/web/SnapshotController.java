package dev.perimeter.sandbox.web;

import dev.perimeter.audit.AuditTarget;
import dev.perimeter.audit.Audited;
import dev.perimeter.sandbox.Snapshot;
import dev.perimeter.sandbox.SnapshotManagement;
import dev.perimeter.shared.Page;
import dev.perimeter.tenant.TenantContext;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Snapshots of sandbox workspaces, for orchestrators. */
@RestController
class SnapshotController {

    private final SnapshotManagement snapshots;

    SnapshotController(SnapshotManagement snapshots) {
        this.snapshots = snapshots;
    }

    @Audited("snapshot.create")
    @PostMapping("/v1/sandboxes/{sandboxId}/snapshots")
    ResponseEntity<SnapshotResponse> create(
            TenantContext tenant,
            @PathVariable String sandboxId,
            @Valid @RequestBody(required = false) @Nullable CreateSnapshotRequest request) {
        CreateSnapshotRequest body = request == null ? new CreateSnapshotRequest(null, null) : request;
        Snapshot snapshot = snapshots.create(tenant, sandboxId, body.name(), body.ttl());
        AuditTarget.set(snapshot.getId());
        return ResponseEntity.created(URI.create("/v1/snapshots/" + snapshot.getId()))
                .body(SnapshotResponse.of(snapshot));
    }

    @GetMapping("/v1/snapshots")
    Page<SnapshotResponse> list(
            TenantContext tenant,
            @RequestParam(required = false) @Nullable String sandboxId,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer limit) {
        return snapshots.list(tenant, sandboxId, cursor, limit).map(SnapshotResponse::of);
    }

    @GetMapping("/v1/snapshots/{snapshotId}")
    SnapshotResponse get(TenantContext tenant, @PathVariable String snapshotId) {
        return SnapshotResponse.of(snapshots.get(tenant, snapshotId));
    }

    @Audited("snapshot.delete")
    @DeleteMapping("/v1/snapshots/{snapshotId}")
    SnapshotResponse delete(TenantContext tenant, @PathVariable String snapshotId) {
        return SnapshotResponse.of(snapshots.delete(tenant, snapshotId));
    }

    /** Body of {@code POST /v1/sandboxes/{id}/snapshots}. */
    record CreateSnapshotRequest(@Size(min = 1, max = 200) @Nullable String name, @Nullable Duration ttl) {}
}
