package dev.perimeter.provider.kubernetes;

import java.util.Map;

/**
 * Where a sandbox's commands run: its Pod, the container in it, and the sandbox environment every command gets on top
 * of the container's own (empty for a bare Pod, whose container env already holds it).
 *
 * @param pod the Pod's name
 * @param container the container commands are exec'd in
 * @param env the sandbox's environment, for a Pod whose env Perimeter could not set
 */
record PodTarget(String pod, String container, Map<String, String> env) {

    PodTarget {
        env = Map.copyOf(env);
    }

    /** A sandbox Perimeter made as a bare Pod. */
    static PodTarget bare(String pod) {
        return new PodTarget(pod, SandboxPods.CONTAINER, Map.of());
    }
}
