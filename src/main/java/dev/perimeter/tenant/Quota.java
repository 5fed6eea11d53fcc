package dev.perimeter.tenant;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A tenant's limits. Every field is optional; {@code null} means unlimited.
 *
 * @param maxParallelSandboxes sandboxes not yet {@code DESTROYED} or {@code FAILED}, in-flight creates included
 * @param maxParallelSandboxesPerAgent the same, counted per {@code agentId}
 * @param maxSandboxLifetime the longest {@code timeout} a create may ask for
 * @param maxVcpusPerSandbox the largest {@code resources.vcpus}
 * @param maxMemoryMibPerSandbox the largest {@code resources.memoryMib}
 * @param maxSnapshots snapshots in {@code CREATING} or {@code READY}
 * @param maxTunnels MCP tunnels not yet archived
 */
public record Quota(
        @Nullable Integer maxParallelSandboxes,
        @Nullable Integer maxParallelSandboxesPerAgent,
        @Nullable Duration maxSandboxLifetime,
        @Nullable Integer maxVcpusPerSandbox,
        @Nullable Integer maxMemoryMibPerSandbox,
        @Nullable Integer maxSnapshots,
        @Nullable Integer maxTunnels) {

    /** No limits. */
    public static final Quota UNLIMITED = new Quota(null, null, null, null, null, null, null);
}
