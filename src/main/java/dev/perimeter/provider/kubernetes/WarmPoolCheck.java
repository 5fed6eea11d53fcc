package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.ProviderErrorException;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Checks, on first use, that the cluster serves the agent-sandbox {@code v1beta1} API (API discovery, which needs no
 * permission on CRDs), that the configured {@code SandboxWarmPool} and its {@code SandboxTemplate} exist, and that
 * the template leaves egress to Perimeter's per-sandbox NetworkPolicy. NetworkPolicies add up, so a template whose
 * own shared policy allows egress (the controller's default allows the public internet) would let a {@code DENY_ALL}
 * sandbox out: such a template is refused. A passed check is remembered; a failed one is repeated on the next use.
 */
final class WarmPoolCheck {

    /**
     * What the check learnt of the pool.
     *
     * @param name the warm pool
     * @param template its SandboxTemplate
     * @param image the image of the template's container commands run in
     */
    record Pool(String name, String template, String image) {}

    private static final String SETTING = "KUBERNETES_WARM_POOL";

    private final KubernetesClient client;
    private final String namespace;
    private final String poolName;
    private volatile @Nullable Pool checked;
    private volatile boolean apiServed;

    WarmPoolCheck(KubernetesClient client, String namespace, String poolName) {
        this.client = client;
        this.namespace = namespace;
        this.poolName = poolName;
    }

    String poolName() {
        return poolName;
    }

    /** The pool, checked once; throws a {@link ProviderErrorException} that says what to fix. */
    Pool pool() {
        Pool pool = checked;
        if (pool == null) {
            pool = check();
            checked = pool;
        }
        return pool;
    }

    /** Checks, once, that the cluster serves the agent-sandbox API; throws what to install if it does not. */
    void apiServed() {
        if (!apiServed) {
            served(AgentSandboxApi.EXTENSIONS_GROUP, "sandboxclaims", "sandboxwarmpools", "sandboxtemplates");
            served(AgentSandboxApi.CORE_GROUP, "sandboxes");
            apiServed = true;
        }
    }

    ProviderErrorException missingCrds() {
        return refuse("the cluster does not serve the agent-sandbox API (sandboxclaims, sandboxwarmpools and"
                + " sandboxtemplates in " + AgentSandboxApi.EXTENSIONS_GROUP + "/" + AgentSandboxApi.VERSION
                + ", sandboxes in " + AgentSandboxApi.CORE_GROUP + "/" + AgentSandboxApi.VERSION
                + "); install kubernetes-sigs/agent-sandbox with its extensions, or unset " + SETTING);
    }

    private Pool check() {
        apiServed();
        GenericKubernetesResource pool = get(AgentSandboxApi.WARM_POOLS, poolName);
        if (pool == null) {
            throw refuse("there is no SandboxWarmPool '" + poolName + "' in namespace " + namespace);
        }
        Object templateName = pool.get("spec", "sandboxTemplateRef", "name");
        GenericKubernetesResource template =
                templateName instanceof String name ? get(AgentSandboxApi.TEMPLATES, name) : null;
        if (template == null) {
            throw refuse("SandboxWarmPool '" + poolName + "' names SandboxTemplate '" + templateName
                    + "', which does not exist in namespace " + namespace);
        }
        leavesEgressToPerimeter(template);
        return new Pool(poolName, template.getMetadata().getName(), image(template));
    }

    private void served(String group, String... plurals) {
        APIResourceList resources;
        try {
            resources = client.getApiResources(group + "/" + AgentSandboxApi.VERSION);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw missingCrds();
            }
            throw KubernetesErrors.map("discover " + group, e);
        }
        List<String> served = resources == null
                ? List.of()
                : resources.getResources().stream().map(APIResource::getName).toList();
        for (String plural : plurals) {
            if (!served.contains(plural)) {
                throw missingCrds();
            }
        }
    }

    private void leavesEgressToPerimeter(GenericKubernetesResource template) {
        Object management = template.get("spec", "networkPolicyManagement");
        if ("Unmanaged".equals(management)) {
            return;
        }
        Object policy = template.get("spec", "networkPolicy");
        Object egress = policy instanceof Map<?, ?> map ? map.get("egress") : null;
        boolean deniesEgress = policy != null && (egress == null || egress instanceof List<?> l && l.isEmpty());
        if (!deniesEgress) {
            throw refuse("SandboxTemplate '" + template.getMetadata().getName() + "' has the controller manage a"
                    + " NetworkPolicy that allows egress, which Perimeter's per-sandbox policy cannot narrow; set"
                    + " spec.networkPolicyManagement: Unmanaged, or a spec.networkPolicy with no egress rules");
        }
    }

    private static String image(GenericKubernetesResource template) {
        Object containers = template.get("spec", "podTemplate", "spec", "containers");
        Object preferred = template.get("spec", "podTemplate", "metadata", "annotations");
        Object name = preferred instanceof Map<?, ?> annotations
                ? annotations.get("kubectl.kubernetes.io/default-container")
                : null;
        if (containers instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> container && (name == null || name.equals(container.get("name")))) {
                    return String.valueOf(container.get("image"));
                }
            }
        }
        return "";
    }

    private @Nullable GenericKubernetesResource get(
            io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext context, String name) {
        try {
            return client.genericKubernetesResources(context)
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.map("look up " + context.getKind() + " " + name, e);
        }
    }

    private ProviderErrorException refuse(String why) {
        return new ProviderErrorException(
                KubernetesSandboxProvider.TYPE,
                "warm pool '" + poolName + "' (" + SETTING + ") unusable: " + why,
                null);
    }
}
