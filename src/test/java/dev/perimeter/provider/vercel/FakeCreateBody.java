package dev.perimeter.provider.vercel;

import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fake's strict reading of a create body's settings: {@code timeout} in milliseconds (at least a second, at most the
 * 5 hours Pro allows), {@code resources} holding only {@code vcpus}, at most five string {@code tags}, a {@code region}
 * Vercel has, at most 15 {@code ports}, and a {@code networkPolicy} in one of the request shapes of the SDK's {@code
 * validators.ts} (answered back in the response shape: a mode, or {@code mode: custom}).
 */
record FakeCreateBody(long timeoutMs, int vcpus, JsonNode networkPolicy, String region) {

    static FakeCreateBody read(JsonNode body) {
        long timeoutMs = StrictJson.integer(body, "timeout", 1000, FakeVercelState.MAX_TIMEOUT_MS, 300_000);
        int vcpus = vcpus(body.get("resources"));
        JsonNode policy = body.has("networkPolicy") ? networkPolicy(body.get("networkPolicy")) : allowAll();
        StrictJson.stringMap(body, "env", Integer.MAX_VALUE);
        StrictJson.stringMap(body, "tags", 5);
        String region = StrictJson.string(body, "region", false);
        if (region.isEmpty()) {
            region = "iad1";
        } else if (!FakeVercelState.REGIONS.contains(region)) {
            throw VercelError.badRequest("Invalid request: unknown region `" + region + "`");
        }
        JsonNode ports = body.get("ports");
        if (ports != null && (!ports.isArray() || ports.size() > 15)) {
            throw VercelError.badRequest("Invalid request: `ports` should be an array of at most 15 ports");
        }
        StrictJson.string(body, "image", false);
        if (body.has("image") && body.has("runtime")) {
            throw VercelError.badRequest("`runtime` and `image` cannot be used together");
        }
        return new FakeCreateBody(timeoutMs, vcpus, policy, region);
    }

    private static int vcpus(@Nullable JsonNode resources) {
        if (resources == null) {
            return 2;
        }
        if (!resources.isObject()) {
            throw VercelError.badRequest("Invalid request: `resources` should be object");
        }
        StrictJson.onlyFields(resources, Set.of("vcpus"), "resources");
        return (int) StrictJson.integer(resources, "vcpus", 1, 8, 2);
    }

    private static JsonNode networkPolicy(JsonNode policy) {
        if (!policy.isObject()) {
            throw VercelError.badRequest("Invalid request: `networkPolicy` should be object");
        }
        if (policy.has("mode")) {
            StrictJson.onlyFields(policy, Set.of("mode"), "networkPolicy");
            String mode = StrictJson.string(policy, "mode", true);
            if (!mode.equals("allow-all") && !mode.equals("deny-all")) {
                throw VercelError.badRequest("Invalid request: `networkPolicy.mode` should be allow-all or deny-all");
            }
            return policy;
        }
        StrictJson.onlyFields(policy, Set.of("allow", "subnets"), "networkPolicy");
        StrictJson.stringArray(policy, "allow");
        JsonNode subnets = policy.get("subnets");
        if (subnets != null) {
            StrictJson.onlyFields(subnets, Set.of("allow", "deny"), "networkPolicy.subnets");
            StrictJson.stringArray(subnets, "allow");
            StrictJson.stringArray(subnets, "deny");
        }
        ObjectNode custom = StrictJson.JSON.createObjectNode().put("mode", "custom");
        custom.set("allowedDomains", policy.path("allow"));
        if (subnets != null && subnets.has("allow")) {
            custom.set("allowedCIDRs", subnets.get("allow"));
        }
        return custom;
    }

    private static JsonNode allowAll() {
        return StrictJson.JSON.createObjectNode().put("mode", "allow-all");
    }
}
