package dev.perimeter.connector.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.UnwrapWebhookParams;
import com.anthropic.core.http.Headers;
import com.anthropic.errors.AnthropicInvalidDataException;
import com.anthropic.errors.AnthropicWebhookException;
import dev.perimeter.shared.ValidationFailedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Anthropic's webhooks. The Standard Webhooks signature is verified by the SDK's {@code unwrap} (given the headers,
 * it checks {@code webhook-id}, {@code webhook-timestamp} within ±300 s and every signature in {@code
 * webhook-signature}, in constant time, over the raw body); only a verified {@code session.status_run_started} wakes
 * the work loop. Nothing else changes on any webhook.
 */
@Service
public class WebhookReceiver implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WebhookReceiver.class);
    static final String RUN_STARTED = "session.status_run_started";

    private final AnthropicClient verifier;
    private final boolean configured;
    private final WorkLoop loop;
    private final JsonMapper json;
    private final MeterRegistry meters;

    WebhookReceiver(AnthropicConnectorProperties properties, WorkLoop loop, JsonMapper json, MeterRegistry meters) {
        String secret = properties.webhookSigningKey().strip();
        this.configured = !secret.isEmpty();
        if (configured) {
            requireWellFormed(secret);
        }
        // No credential: this client only verifies signatures and never calls the API.
        this.verifier = AnthropicOkHttpClient.builder()
                .baseUrl(properties.baseUrl())
                .webhookKey(configured ? secret : null)
                .build();
        this.loop = loop;
        this.json = json;
        this.meters = meters;
    }

    /**
     * Verifies and handles one delivery.
     *
     * @param body the raw body, decoded as UTF-8
     * @param headers the request's headers
     * @return the event type
     * @throws WebhookSignatureException when the signature does not verify (or no signing key is configured)
     */
    public String receive(String body, Map<String, List<String>> headers) {
        if (!configured) {
            count("unconfigured", "none");
            throw new WebhookSignatureException();
        }
        try {
            verifier.beta()
                    .webhooks()
                    .unwrap(UnwrapWebhookParams.builder()
                            .body(body)
                            .headers(Headers.builder().putAll(headers).build())
                            .build());
        } catch (AnthropicWebhookException e) {
            count("rejected", "none");
            log.info("Refused a webhook whose signature does not verify");
            throw new WebhookSignatureException();
        } catch (AnthropicInvalidDataException e) {
            // Signed, but not an event this SDK can read: carry on with the raw JSON.
            log.debug("Verified webhook is not an event the SDK knows");
        }
        String type = typeOf(body);
        count("accepted", type);
        if (RUN_STARTED.equals(type)) {
            loop.wake();
        }
        return type;
    }

    private String typeOf(String body) {
        try {
            JsonNode data = json.readTree(body).path("data");
            String type = data.path("type").asString("");
            return type.matches("[a-z_.]{1,100}") ? type : "unknown";
        } catch (JacksonException e) {
            throw new ValidationFailedException("body", "must be a JSON webhook event");
        }
    }

    private void count(String outcome, String type) {
        Counter.builder("perimeter.connector.anthropic.webhooks")
                .description("Webhook deliveries, by outcome and event type")
                .tag("outcome", outcome)
                .tag("type", type)
                .register(meters)
                .increment();
    }

    private static void requireWellFormed(String secret) {
        String encoded = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
        try {
            if (Base64.getDecoder().decode(encoded).length == 0) {
                throw new IllegalArgumentException("empty");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "perimeter.connector.anthropic.webhook-signing-key (ANTHROPIC_WEBHOOK_SIGNING_KEY) must be a"
                            + " whsec_ secret: 'whsec_' and base64");
        }
    }

    @Override
    public void destroy() {
        verifier.close();
    }
}
