package dev.perimeter.provider.daytona;

import dev.perimeter.provider.SandboxSpec;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link SandboxSpec} as Daytona's {@code CreateSandbox} body (daytona-api.openapi.yaml): {@code name} and labels
 * carry our sandbox id, {@code target} the region, {@code memory} and {@code disk} are whole GB, the auto-stop interval
 * is minutes, and egress becomes {@code networkBlockAll}, {@code networkAllowList} (CIDRs) and {@code domainAllowList}.
 */
final class CreateSandboxBody {

    static final String MANAGED = "perimeter.dev/managed";
    static final String SANDBOX_ID = "perimeter.dev/sandbox-id";
    static final String TENANT_ID = "perimeter.dev/tenant-id";
    static final String CORRELATION_ID = "perimeter.dev/correlation-id";

    private static final Pattern IPV4_OR_V6 = Pattern.compile("[0-9a-fA-F:.]+");

    private CreateSandboxBody() {}

    static ObjectNode of(SandboxSpec spec, DaytonaProviderProperties properties) {
        ObjectNode body = DaytonaApi.JSON.createObjectNode();
        body.put("name", spec.sandboxId());
        body.put("target", spec.region());
        body.put("cpu", spec.resources().vcpus());
        body.put("memory", gigabytes(spec.resources().memoryMib()));
        body.put("disk", properties.sandbox().diskGb());
        body.put(
                "autoStopInterval",
                minutes(spec.lifetime().plus(properties.sandbox().autoStopGrace())));
        // Delete as soon as Daytona stops it: a stopped sandbox is one Perimeter has already given up.
        body.put("autoDeleteInterval", 0);
        ObjectNode labels = body.putObject("labels");
        spec.labels().forEach((key, value) -> {
            if (!key.startsWith("perimeter.dev/")) {
                labels.put(key, value);
            }
        });
        labels.put(MANAGED, "true");
        labels.put(SANDBOX_ID, spec.sandboxId());
        labels.put(TENANT_ID, spec.tenantId());
        labels.put(CORRELATION_ID, spec.correlationId());
        ObjectNode env = body.putObject("env");
        spec.env().forEach(env::put);
        egress(spec.egress(), body);
        if (spec.fromSnapshotRef() != null) {
            body.put("snapshot", spec.fromSnapshotRef());
        } else if (spec.image() != null) {
            body.putObject("buildInfo").put("dockerfileContent", "FROM " + spec.image() + "\n");
        }
        return body;
    }

    static long gigabytes(int memoryMib) {
        return Math.max(1, (memoryMib + 1023) / 1024);
    }

    static long minutes(Duration duration) {
        return Math.max(1, (duration.toSeconds() + 59) / 60);
    }

    private static void egress(SandboxSpec.Egress egress, ObjectNode body) {
        switch (egress.mode()) {
            case DENY_ALL -> body.put("networkBlockAll", true);
            case ALLOW_ALL -> body.put("networkBlockAll", false);
            case ALLOWLIST -> {
                List<String> cidrs = new ArrayList<>();
                List<String> domains = new ArrayList<>();
                for (String entry : egress.allow()) {
                    String cidr = cidr(entry);
                    if (cidr != null) {
                        cidrs.add(cidr);
                    } else {
                        domains.add(entry);
                    }
                }
                body.put("networkBlockAll", false);
                if (!cidrs.isEmpty()) {
                    body.put("networkAllowList", String.join(",", cidrs));
                }
                if (!domains.isEmpty()) {
                    body.put("domainAllowList", String.join(",", domains));
                }
                if (cidrs.isEmpty() && domains.isEmpty()) {
                    body.put("networkBlockAll", true);
                }
            }
        }
    }

    /** The entry as a CIDR when it is an IP address or a CIDR, otherwise {@code null} (a host name). */
    private static String cidr(String entry) {
        String address = entry.contains("/") ? entry.substring(0, entry.indexOf('/')) : entry;
        if (!IPV4_OR_V6.matcher(address).matches() || !(address.contains(":") || address.matches("[0-9.]+"))) {
            return null;
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            if (entry.contains("/")) {
                return entry;
            }
            return entry + (parsed.getAddress().length == 4 ? "/32" : "/128");
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    static Map<String, String> managedFilter() {
        return Map.of(MANAGED, "true");
    }
}
