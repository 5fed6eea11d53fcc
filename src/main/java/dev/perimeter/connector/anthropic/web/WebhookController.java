package dev.perimeter.connector.anthropic.web;

import dev.perimeter.connector.anthropic.WebhookReceiver;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Anthropic's webhook deliveries. Reachable without an API key: the Standard Webhooks signature over the raw body is
 * the authentication, and a bad one answers 401 and changes nothing.
 */
@RestController
class WebhookController {

    private final WebhookReceiver receiver;

    WebhookController(WebhookReceiver receiver) {
        this.receiver = receiver;
    }

    @PostMapping("/v1/connectors/anthropic/webhook")
    Map<String, String> receive(@RequestBody(required = false) byte[] body, HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        String type = receiver.receive(body == null ? "" : new String(body, StandardCharsets.UTF_8), headers);
        return Map.of("received", type);
    }
}
