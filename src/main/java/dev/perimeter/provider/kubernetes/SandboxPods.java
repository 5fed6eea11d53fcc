package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.SandboxSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** The Pod of one sandbox: names, labels and the spec. */
final class SandboxPods {

    static final String CONTAINER = "sandbox";
    static final String WORKSPACE = "/workspace";
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String MANAGER = "perimeter";
    static final String SANDBOX_ID = "perimeter.dev/sandbox-id";
    static final String TENANT = "perimeter.dev/tenant";
    static final String CORRELATION_ID = "perimeter.dev/correlation-id";
    static final String RESTORED_FROM = "perimeter.dev/restored-from";

    private SandboxPods() {}

    /** The Pod (and NetworkPolicy) name of a sandbox: its id in DNS-label form. */
    static String name(String sandboxId) {
        return sandboxId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    /** The labels every resource of a sandbox carries; listing and cleanup select on them. */
    static Map<String, String> labels(SandboxSpec spec) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, MANAGER);
        labels.put(SANDBOX_ID, labelValue(spec.sandboxId()));
        labels.put(TENANT, labelValue(spec.tenantId()));
        return labels;
    }

    /** The sandbox's Pod: requests equal to limits, an emptyDir workspace, a deadline of the sandbox's lifetime. */
    static Pod pod(SandboxSpec spec, String image, @Nullable String runtimeClass) {
        Map<String, Quantity> resources = Map.of(
                "cpu", new Quantity(Integer.toString(spec.resources().vcpus())),
                "memory", new Quantity(spec.resources().memoryMib() + "Mi"));
        return new PodBuilder()
                .withNewMetadata()
                .withName(name(spec.sandboxId()))
                .withLabels(labels(spec))
                .withAnnotations(Map.of(CORRELATION_ID, spec.correlationId()))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withRuntimeClassName(runtimeClass)
                .withActiveDeadlineSeconds(Math.max(1, spec.lifetime().toSeconds()))
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(0L)
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(image)
                .withCommand("sleep", "infinity")
                .withWorkingDir(WORKSPACE)
                .withEnv(new TreeMap<>(spec.env())
                        .entrySet().stream()
                                .map(e -> new EnvVar(e.getKey(), e.getValue(), null))
                                .toList())
                .withNewResources()
                .withRequests(resources)
                .withLimits(resources)
                .endResources()
                .addNewVolumeMount()
                .withName("workspace")
                .withMountPath(WORKSPACE)
                .endVolumeMount()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .endContainer()
                .addNewVolume()
                .withName("workspace")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .build();
    }

    /** {@code value} as a label value: at most 63 characters of {@code [A-Za-z0-9._-]}, alphanumeric at both ends. */
    static String labelValue(String value) {
        String cleaned = value.replaceAll("[^A-Za-z0-9._-]", "-");
        if (cleaned.length() > 63) {
            cleaned = cleaned.substring(0, 63);
        }
        return cleaned.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }
}
