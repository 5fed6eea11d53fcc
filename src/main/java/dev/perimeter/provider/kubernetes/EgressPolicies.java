package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.shared.CapabilityUnsupportedException;
import io.fabric8.kubernetes.api.model.OwnerReference;
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

    /** The policy of a bare Pod, selected by our sandbox-id label. */
    static NetworkPolicy policy(SandboxSpec spec) {
        return policy(spec, Map.of(SandboxPods.SANDBOX_ID, SandboxPods.labelValue(spec.sandboxId())), List.of());
    }

    /**
     * The policy of a claimed sandbox: it selects the Pod by the claim-uid label the agent-sandbox controller puts on
     * the Pod it binds, and is owned by the claim, so the cluster deletes it with the claim if Perimeter does not.
     */
    static NetworkPolicy claimPolicy(SandboxSpec spec, String claimUid, OwnerReference claim) {
        return policy(spec, Map.of(AgentSandboxApi.CLAIM_UID, claimUid), List.of(claim));
    }

    private static NetworkPolicy policy(SandboxSpec spec, Map<String, String> selector, List<OwnerReference> owners) {
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
                .withOwnerReferences(owners)
                .endMetadata()
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(selector)
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
