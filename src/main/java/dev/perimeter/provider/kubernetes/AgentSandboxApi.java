package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.SandboxSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The kubernetes-sigs agent-sandbox API as Perimeter uses it, without generated classes: the resource definitions of
 * {@code SandboxClaim}, {@code Sandbox}, {@code SandboxWarmPool} and {@code SandboxTemplate} ({@code v1beta1}), the
 * claim Perimeter writes, and readers of what the controller writes back (per the project's {@code
 * extensions/api/v1beta1} and {@code api/v1beta1} types).
 */
final class AgentSandboxApi {

    static final String EXTENSIONS_GROUP = "extensions.agents.x-k8s.io";
    static final String CORE_GROUP = "agents.x-k8s.io";
    static final String VERSION = "v1beta1";

    static final ResourceDefinitionContext CLAIMS = context(EXTENSIONS_GROUP, "SandboxClaim", "sandboxclaims");
    static final ResourceDefinitionContext WARM_POOLS =
            context(EXTENSIONS_GROUP, "SandboxWarmPool", "sandboxwarmpools");
    static final ResourceDefinitionContext TEMPLATES = context(EXTENSIONS_GROUP, "SandboxTemplate", "sandboxtemplates");
    static final ResourceDefinitionContext SANDBOXES = context(CORE_GROUP, "Sandbox", "sandboxes");

    /** The claim annotation (and deprecated label) naming the Sandbox the controller bound to it. */
    static final String ASSIGNED_SANDBOX = "agents.x-k8s.io/sandbox-name";
    /** The Sandbox annotation naming its Pod; absent or empty means the Pod has the Sandbox's name. */
    static final String POD_NAME = "agents.x-k8s.io/pod-name";
    /** The label the controller puts on a bound sandbox's Pod: the claim's UID. */
    static final String CLAIM_UID = "agents.x-k8s.io/claim-uid";

    /** Perimeter's own claim annotations, written once the claim is bound. */
    static final String BOUND_POD = "perimeter.dev/pod-name";

    static final String BOUND_POD_UID = "perimeter.dev/pod-uid";
    static final String BOUND_CONTAINER = "perimeter.dev/container";
    /** The sandbox's environment (JSON), given to every command since a warm Pod's own env cannot change. */
    static final String ENV = "perimeter.dev/env";

    private AgentSandboxApi() {}

    private static ResourceDefinitionContext context(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(VERSION)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(true)
                .build();
    }

    /**
     * The claim of one sandbox: named and labelled like its Pod would be, against {@code pool}, deleted by the
     * controller at the sandbox's end of life in case Perimeter cannot do it itself.
     */
    static GenericKubernetesResource claim(SandboxSpec spec, String pool, Instant shutdownTime, String envJson) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(SandboxPods.CORRELATION_ID, spec.correlationId());
        annotations.put(ENV, envJson);
        Map<String, Object> lifecycle = new LinkedHashMap<>();
        lifecycle.put("shutdownTime", shutdownTime.toString());
        lifecycle.put("shutdownPolicy", "Delete");
        Map<String, Object> claimSpec = new LinkedHashMap<>();
        claimSpec.put("warmPoolRef", Map.of("name", pool));
        claimSpec.put("lifecycle", lifecycle);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(EXTENSIONS_GROUP + "/" + VERSION)
                .withKind("SandboxClaim")
                .withNewMetadata()
                .withName(SandboxPods.name(spec.sandboxId()))
                .withLabels(SandboxPods.labels(spec))
                .withAnnotations(annotations)
                .endMetadata()
                .addToAdditionalProperties("spec", claimSpec)
                .build();
    }

    /** The claim's {@code Ready} condition, or {@code null} before the controller has written one. */
    static @Nullable Map<String, Object> readyCondition(GenericKubernetesResource claim) {
        Object conditions = claim.get("status", "conditions");
        if (conditions instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> condition && "Ready".equals(condition.get("type"))) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> ready = (Map<String, Object>) condition;
                    return ready;
                }
            }
        }
        return null;
    }

    /** Whether the controller reports the claim's sandbox Ready. */
    static boolean ready(GenericKubernetesResource claim) {
        Map<String, Object> ready = readyCondition(claim);
        return ready != null && "True".equals(ready.get("status"));
    }

    /** The bound Sandbox's name: {@code status.sandbox.name}, else the assignment annotation; {@code null} if unbound. */
    static @Nullable String sandboxName(GenericKubernetesResource claim) {
        Object fromStatus = claim.get("status", "sandbox", "name");
        if (fromStatus instanceof String name && !name.isEmpty()) {
            return name;
        }
        String fromAnnotation = annotation(claim, ASSIGNED_SANDBOX);
        return fromAnnotation == null || fromAnnotation.isEmpty() ? null : fromAnnotation;
    }

    /** The Pod of a Sandbox: its {@code agents.x-k8s.io/pod-name} annotation when set, else the Sandbox's name. */
    static String podName(GenericKubernetesResource sandbox) {
        String annotated = annotation(sandbox, POD_NAME);
        return annotated == null || annotated.isEmpty() ? sandbox.getMetadata().getName() : annotated;
    }

    /** Why the claim is not Ready, in the controller's words, for an error message. */
    static String notReadyReason(@Nullable GenericKubernetesResource claim) {
        if (claim == null) {
            return "the claim is gone";
        }
        Map<String, Object> ready = readyCondition(claim);
        if (ready == null) {
            return "the agent-sandbox controller has not reported on it (is the controller running?)";
        }
        Object message = ready.get("message");
        return "Ready=" + ready.get("status") + " " + ready.get("reason")
                + (message == null || message.toString().isEmpty() ? "" : ": " + message);
    }

    static @Nullable String annotation(GenericKubernetesResource resource, String key) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
