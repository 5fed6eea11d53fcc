package dev.perimeter.provider.kubernetes;

import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.shared.PerimeterException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import tools.jackson.core.JacksonException;

/**
 * Turns the cluster's answers into Perimeter's typed failures: no answer, 429 and 5xx are transient; any other refusal
 * is permanent. The detail is the API server's own message, which carries no credential.
 */
final class KubernetesErrors {

    private KubernetesErrors() {}

    static PerimeterException map(String action, KubernetesClientException e) {
        String detail = action + ": " + message(e);
        int code = e.getCode();
        if (unreadable(e)) {
            return new ProviderErrorException(
                    KubernetesSandboxProvider.TYPE, action + ": the cluster's answer could not be read", e);
        }
        if (code <= 0 || code == 429 || code >= 500) {
            return new ProviderUnavailableException(KubernetesSandboxProvider.TYPE, detail, e);
        }
        return new ProviderErrorException(KubernetesSandboxProvider.TYPE, detail, e);
    }

    /** Whether fabric8 (which parses with Jackson 3 since 8.0) failed to parse the answer (a proxy's HTML page, a truncated body) rather than getting none. */
    private static boolean unreadable(KubernetesClientException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException) {
                return true;
            }
        }
        return false;
    }

    private static String message(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getCode() + " " + e.getStatus().getMessage();
        }
        return e.getCode() <= 0 ? "the cluster did not answer in time" : "the cluster answered " + e.getCode();
    }
}
