package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.SandboxStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jspecify.annotations.Nullable;

/** Reads a Pod's phase and Ready condition as a sandbox status, and waits, within a bound, for it to be Ready. */
final class PodReadiness {

    private final KubernetesClient client;
    private final String namespace;
    private final KubernetesProviderProperties.Timeouts timeouts;

    PodReadiness(KubernetesClient client, String namespace, KubernetesProviderProperties.Timeouts timeouts) {
        this.client = client;
        this.namespace = namespace;
        this.timeouts = timeouts;
    }

    /** Polls the Pod until it is Ready, has failed or is gone, or the ready bound has passed (then PROVISIONING). */
    SandboxStatus await(String name) {
        long deadline = System.nanoTime() + timeouts.ready().toNanos();
        while (true) {
            SandboxStatus status = status(get(name));
            if (status != SandboxStatus.PROVISIONING || System.nanoTime() > deadline) {
                return status;
            }
            try {
                Thread.sleep(timeouts.poll().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderErrorException(KubernetesSandboxProvider.TYPE, "interrupted waiting for " + name, e);
            }
        }
    }

    SandboxStatus status(@Nullable Pod pod) {
        if (pod == null) {
            return SandboxStatus.UNKNOWN;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return SandboxStatus.STOPPED;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (phase == null || phase.equals("Pending") || phase.equals("Unknown")) {
            return SandboxStatus.PROVISIONING;
        }
        return switch (phase) {
            case "Running" -> ready(pod) ? SandboxStatus.RUNNING : SandboxStatus.PROVISIONING;
            case "Succeeded" -> SandboxStatus.STOPPED;
            default -> SandboxStatus.FAILED;
        };
    }

    /** Why a Pod is not running, from its status, for an error message. */
    String reason(String name) {
        Pod pod = get(name);
        if (pod == null) {
            return "the pod is gone";
        }
        if (pod.getStatus() == null) {
            return "no status";
        }
        String reason = pod.getStatus().getReason();
        String message = pod.getStatus().getMessage();
        return pod.getStatus().getPhase()
                + (reason == null ? "" : " " + reason)
                + (message == null ? "" : ": " + message);
    }

    private static boolean ready(Pod pod) {
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }

    private @Nullable Pod get(String name) {
        try {
            return client.pods().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.map("look up pod " + name, e);
        }
    }
}
