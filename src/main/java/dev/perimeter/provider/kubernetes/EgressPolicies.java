package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.CapabilityUnsupportedException;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The NetworkPolicy fencing one sandbox: no ingress ever, and egress denied, allowed, or allowed to a list of CIDRs.
 * Hostnames cannot be expressed in a NetworkPolicy and are refused.
 */
final class EgressPolicies {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})(\\.\\d{1,3}){3}(/\\d{1,2})?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(/\\d{1,3})?");

    private EgressPolicies() {}

    /** Fails with {@code capability-unsupported} when the allowlist names anything but IP addresses and CIDRs. */
    static void check(SandboxSpec.Egress egress) {
        for (String entry : egress.allow()) {
            cidr(entry);
        }
    }

    static NetworkPolicy policy(SandboxSpec spec) {
        List<NetworkPolicyEgressRule> egress =
                switch (spec.egress().mode()) {
                    case DENY_ALL -> List.of();
                    case ALLOW_ALL -> List.of(new NetworkPolicyEgressRule());
                    case ALLOWLIST ->
                        List.of(new NetworkPolicyEgressRuleBuilder()
                                .withTo(spec.egress().allow().stream()
                                        .map(EgressPolicies::peer)
                                        .toList())
                                .build());
                };
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                .withName(SandboxPods.name(spec.sandboxId()))
                .withLabels(SandboxPods.labels(spec))
                .endMetadata()
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(Map.of(SandboxPods.SANDBOX_ID, SandboxPods.labelValue(spec.sandboxId())))
                .endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .withIngress(List.of())
                .withEgress(egress)
                .endSpec()
                .build();
    }

    private static NetworkPolicyPeer peer(String entry) {
        return new NetworkPolicyPeerBuilder()
                .withNewIpBlock()
                .withCidr(cidr(entry))
                .endIpBlock()
                .build();
    }

    private static String cidr(String entry) {
        if (IPV4.matcher(entry).matches()) {
            return entry.contains("/") ? entry : entry + "/32";
        }
        if (IPV6.matcher(entry).matches()) {
            return entry.contains("/") ? entry : entry + "/128";
        }
        throw new CapabilityUnsupportedException(
                KubernetesSandboxProvider.TYPE,
                "egress.allow",
                "A Kubernetes NetworkPolicy allows CIDRs only; '" + entry + "' is not an IP address or CIDR");
    }
}
