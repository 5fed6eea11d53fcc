package dev.perimeter.sandbox.web;

import dev.perimeter.provider.ProviderRegistry;
import dev.perimeter.provider.SandboxProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * Marks every response about a sandbox whose provider runs without isolation (an operator set {@code
 * perimeter.providers.local.isolation=none}) with a {@code Warning} header, so no orchestrator mistakes it for a
 * sandbox.
 */
@Component
class IsolationWarning {

    static final String TEXT =
            "299 perimeter \"sandbox runs WITHOUT isolation on the host (perimeter.providers.local.isolation=none)\"";

    private final ProviderRegistry providers;

    IsolationWarning(ProviderRegistry providers) {
        this.providers = providers;
    }

    HttpHeaders headersFor(String provider) {
        HttpHeaders headers = new HttpHeaders();
        boolean isolated = providers
                .find(provider)
                .map(SandboxProvider::capabilities)
                .map(c -> c.isolated())
                .orElse(true);
        if (!isolated) {
            headers.set(HttpHeaders.WARNING, TEXT);
        }
        return headers;
    }
}
