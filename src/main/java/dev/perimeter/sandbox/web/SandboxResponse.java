package dev.perimeter.sandbox.web;

import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.sandbox.Sandbox;
import dev.perimeter.sandbox.SandboxState;
import dev.perimeter.shared.Money;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A sandbox as the API shows it. Money is a decimal string in USD. */
record SandboxResponse(
        String id,
        String tenantId,
        @Nullable String agentId,
        String provider,
        String region,
        SandboxState state,
        @Nullable String image,
        SandboxSpec.Resources resources,
        SandboxSpec.Egress egress,
        Map<String, String> labels,
        @Nullable String fromSnapshot,
        Instant createdAt,
        @Nullable Instant readyAt,
        Instant expiresAt,
        @Nullable Instant endedAt,
        @Nullable String endReason,
        String costUsd,
        String correlationId,
        @Nullable String providerRef) {

    static SandboxResponse of(Sandbox sandbox) {
        return new SandboxResponse(
                sandbox.getId(),
                sandbox.getTenantId(),
                sandbox.getAgentId(),
                sandbox.getProvider(),
                sandbox.getRegion(),
                sandbox.getState(),
                sandbox.getImage(),
                sandbox.getResources(),
                sandbox.getEgress(),
                sandbox.getLabels(),
                sandbox.getFromSnapshotId(),
                sandbox.getCreatedAt(),
                sandbox.getReadyAt(),
                sandbox.getExpiresAt(),
                sandbox.getEndedAt(),
                sandbox.getEndReason(),
                Money.format(sandbox.getCostUsd()),
                sandbox.getCorrelationId(),
                sandbox.getProviderRef());
    }
}
