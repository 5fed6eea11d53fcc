package dev.perimeter.provider.vercel;

import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.ValidationFailedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of {@code POST /v3/sandboxes} for a {@link SandboxSpec}: the sandbox is named with our id, tagged so the
 * reconciler can list it, sized in vCPUs (Vercel gives 2048 MB of memory per vCPU), timed out in milliseconds, and
 * its egress expressed as a {@code networkPolicy}.
 */
final class CreateRequest {

    /** The tag every sandbox this provider creates carries; the list endpoint filters on it. */
    static final String MANAGED_TAG = "managed-by";

    static final String MANAGED_VALUE = "perimeter";

    static final String SANDBOX_TAG = "perimeter-sandbox";

    private static final int MIB_PER_VCPU = 2048;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CreateRequest() {}

    static byte[] body(SandboxSpec spec, String projectId, Duration maxLifetime) {
        ObjectNode body = JSON.createObjectNode();
        body.put("projectId", projectId);
        body.put("name", spec.sandboxId());
        body.putArray("ports");
        Duration lifetime = spec.lifetime().compareTo(maxLifetime) > 0 ? maxLifetime : spec.lifetime();
        body.put("timeout", lifetime.toMillis());
        body.putObject("resources").put("vcpus", vcpus(spec.resources()));
        body.set("networkPolicy", networkPolicy(spec.egress()));
        if (!spec.env().isEmpty()) {
            ObjectNode env = body.putObject("env");
            spec.env().forEach(env::put);
        }
        ObjectNode tags = body.putObject("tags");
        tags.put(MANAGED_TAG, MANAGED_VALUE);
        tags.put(SANDBOX_TAG, spec.sandboxId());
        tags.put("perimeter-tenant", spec.tenantId());
        tags.put("perimeter-correlation-id", spec.correlationId());
        body.put("region", spec.region());
        if (spec.fromSnapshotRef() != null) {
            if (spec.image() != null) {
                throw new ValidationFailedException(
                        "image", "cannot be combined with fromSnapshot on Vercel: a snapshot brings its own image");
            }
            body.putObject("source").put("type", "snapshot").put("snapshotId", spec.fromSnapshotRef());
        } else if (spec.image() != null) {
            body.put("image", spec.image());
        }
        return JSON.writeValueAsBytes(body);
    }

    /** Enough vCPUs for the requested memory too, since memory comes with vCPUs on Vercel. */
    static int vcpus(SandboxSpec.Resources resources) {
        int forMemory = (resources.memoryMib() + MIB_PER_VCPU - 1) / MIB_PER_VCPU;
        return Math.max(1, Math.max(resources.vcpus(), forMemory));
    }

    static ObjectNode networkPolicy(SandboxSpec.Egress egress) {
        ObjectNode policy = JSON.createObjectNode();
        switch (egress.mode()) {
            case DENY_ALL -> policy.put("mode", "deny-all");
            case ALLOW_ALL -> policy.put("mode", "allow-all");
            case ALLOWLIST -> {
                List<String> domains = new ArrayList<>();
                List<String> subnets = new ArrayList<>();
                egress.allow().forEach(entry -> (isAddressOrCidr(entry) ? subnets : domains).add(entry));
                ArrayNode allow = policy.putArray("allow");
                domains.forEach(allow::add);
                if (!subnets.isEmpty()) {
                    ArrayNode cidrs = policy.putObject("subnets").putArray("allow");
                    subnets.forEach(cidrs::add);
                }
            }
        }
        return policy;
    }

    private static boolean isAddressOrCidr(String entry) {
        String address = entry.contains("/") ? entry.substring(0, entry.indexOf('/')) : entry;
        return address.matches("\\d{1,3}(\\.\\d{1,3}){3}") || address.matches("[0-9A-Fa-f:]+") && address.contains(":");
    }
}
