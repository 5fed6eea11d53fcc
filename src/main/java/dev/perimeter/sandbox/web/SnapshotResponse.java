package dev.perimeter.sandbox.web;

import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.sandbox.Snapshot;
import dev.perimeter.sandbox.SnapshotState;
import dev.perimeter.shared.Money;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A snapshot as the API shows it. */
record SnapshotResponse(
        String id,
        String sandboxId,
        String tenantId,
        String provider,
        @Nullable String name,
        SnapshotPersistence persistence,
        SnapshotState state,
        @Nullable Long sizeBytes,
        Instant createdAt,
        @Nullable Instant expiresAt,
        String costUsd,
        String correlationId) {

    static SnapshotResponse of(Snapshot snapshot) {
        return new SnapshotResponse(
                snapshot.getId(),
                snapshot.getSandboxId(),
                snapshot.getTenantId(),
                snapshot.getProvider(),
                snapshot.getName(),
                snapshot.getPersistence(),
                snapshot.getState(),
                snapshot.getSizeBytes(),
                snapshot.getCreatedAt(),
                snapshot.getExpiresAt(),
                Money.format(snapshot.getCostUsd()),
                snapshot.getCorrelationId());
    }
}
