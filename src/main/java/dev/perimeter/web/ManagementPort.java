package dev.perimeter.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The port of Actuator's own server, when {@code management.server.port} puts it apart from the API's. That port is
 * for the platform's scrapers and probes, never routed to tenants, so requests arriving on it need no API key.
 */
@Component
class ManagementPort {

    static final String NAMESPACE = "management";

    private volatile int port = -1;

    @EventListener
    void started(WebServerInitializedEvent event) {
        if (NAMESPACE.equals(event.getApplicationContext().getServerNamespace())) {
            port = event.getWebServer().getPort();
        }
    }

    /** Whether the request came in on the separate management port. */
    boolean matches(HttpServletRequest request) {
        return port > 0 && request.getLocalPort() == port;
    }
}
