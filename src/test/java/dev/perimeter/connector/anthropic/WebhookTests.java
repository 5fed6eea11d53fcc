package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import dev.perimeter.support.Api;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/connectors/anthropic/webhook}: Standard Webhooks signatures over the raw body, ±300 s, several
 * signatures per header; a verified {@code session.status_run_started} wakes the loop, anything unverified is a 401
 * that changes nothing.
 */
class WebhookTests extends ConnectorTestSupport {

    private static final String PATH = "/v1/connectors/anthropic/webhook";

    // The Standard Webhooks test vector (standard-webhooks/standard-webhooks, libraries' sign tests).
    private static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long VECTOR_TIMESTAMP = 1614265330L;
    private static final String VECTOR_PAYLOAD = "{\"test\": 2432232314}";
    private static final String VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Autowired
    JsonMapper json;

    @Autowired
    MeterRegistry meters;

    @Test
    void theTestSignerAndTheSdksLibraryBothReproduceTheStandardWebhooksVector() throws Exception {
        assertThat(sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_PAYLOAD))
                .isEqualTo(VECTOR_SIGNATURE);
        assertThat(new Webhook(VECTOR_SECRET).sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_PAYLOAD))
                .isEqualTo(VECTOR_SIGNATURE);
    }

    @Test
    void theReceiverAcceptsTheVectorsSecretAndPayloadNowAndRefusesTheVectorAsAReplay() {
        WebhookReceiver receiver = receiver(VECTOR_SECRET);
        long now = Instant.now().getEpochSecond();
        String event = event("vault.created");
        assertThat(receiver.receive(event, headers(VECTOR_ID, now, sign(VECTOR_SECRET, VECTOR_ID, now, event))))
                .isEqualTo("vault.created");
        assertThatThrownBy(
                        () -> receiver.receive(VECTOR_PAYLOAD, headers(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_SIGNATURE)))
                .isInstanceOf(WebhookSignatureException.class);
    }

    @Test
    void aVerifiedRunStartedEventWakesTheLoopWhichStartsTheSession() {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_webhook");

        Api.Response response = deliver(event(WebhookReceiver.RUN_STARTED), Instant.now());

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.json().get("received").asString()).isEqualTo("session.status_run_started");
        eventually(() -> sandboxes(bound.tenant()).size() == 1);
        assertThat(session(bound.tenant(), workId).get("state").asString()).isEqualTo("RUNNING");
    }

    @Test
    void aBadSignatureIs401AndChangesNothing() {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_forged");
        double rejected = webhooks("rejected");
        String body = event(WebhookReceiver.RUN_STARTED);
        long now = Instant.now().getEpochSecond();
        String forged = sign(
                "whsec_" + Base64.getEncoder().encodeToString("another-secret-0123456789".getBytes()),
                "msg_1",
                now,
                body);

        List<Api.Response> refused = List.of(
                post(
                        body,
                        Map.of(
                                "webhook-id",
                                "msg_1",
                                "webhook-timestamp",
                                String.valueOf(now),
                                "webhook-signature",
                                forged)),
                post(body, Map.of()),
                post(
                        body,
                        Map.of("webhook-id", "msg_1", "webhook-timestamp", "yesterday", "webhook-signature", forged)),
                post(body.replace("sesn", "sesx"), signedHeaders("msg_1", now, body)),
                post(
                        body,
                        Map.of(
                                "webhook-id",
                                "msg_2",
                                "webhook-timestamp",
                                String.valueOf(now),
                                "webhook-signature",
                                signedHeaders("msg_1", now, body).get("webhook-signature"))),
                api.post(PATH).key(ADMIN_KEY).json(body).send());
        for (Api.Response response : refused) {
            assertProblem(response, 401, "unauthorized");
        }
        assertThat(webhooks("rejected")).isEqualTo(rejected + refused.size());
        assertThat(queue.deliveries(workId)).isZero();
        assertThat(queue.state(workId)).isEqualTo("queued");
        assertThat(sessions(bound.tenant())).isEmpty();
    }

    @Test
    void aReplayOutsideTheToleranceWindowIsRefusedEitherWay() {
        String body = event(WebhookReceiver.RUN_STARTED);
        assertProblem(deliver(body, Instant.now().minus(Duration.ofSeconds(301))), 401, "unauthorized");
        assertProblem(deliver(body, Instant.now().plus(Duration.ofSeconds(301))), 401, "unauthorized");
        assertThat(deliver(body, Instant.now().minus(Duration.ofSeconds(240))).status())
                .isEqualTo(200);
    }

    @Test
    void anyOfSeveralSpaceSeparatedSignaturesMayMatch() {
        String body = event("session.status_idled");
        long now = Instant.now().getEpochSecond();
        String good = sign(ANTHROPIC_WEBHOOK_KEY, "msg_rotated", now, body);
        String header = "v1,bm90LXRoZS1zaWduYXR1cmU= v1a,c29tZS1lZDI1NTE5LXNpZ25hdHVyZQ== " + good + " garbage";
        Api.Response response = post(
                body,
                Map.of(
                        "webhook-id",
                        "msg_rotated",
                        "webhook-timestamp",
                        String.valueOf(now),
                        "webhook-signature",
                        header));
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.json().get("received").asString()).isEqualTo("session.status_idled");
    }

    @Test
    void aSigningKeyThatIsNotAWhsecSecretStopsStartUp() {
        assertThatThrownBy(() -> receiver("whsec_not base64!"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ANTHROPIC_WEBHOOK_SIGNING_KEY")
                .message()
                .doesNotContain("not base64!");
    }

    @Test
    void withoutASigningKeyEveryWebhookIsRefused() {
        String event = event(WebhookReceiver.RUN_STARTED);
        long now = Instant.now().getEpochSecond();
        assertThatThrownBy(() -> receiver("")
                        .receive(event, headers("msg_1", now, sign(ANTHROPIC_WEBHOOK_KEY, "msg_1", now, event))))
                .isInstanceOf(WebhookSignatureException.class);
    }

    @Test
    void aSignedBodyThatIsNotJsonIsA400() {
        assertProblem(deliver("not json at all", Instant.now()), 400, "validation-failed");
    }

    private Api.Response deliver(String body, Instant at) {
        return post(body, signedHeaders("msg_" + at.toEpochMilli(), at.getEpochSecond(), body));
    }

    private Map<String, String> signedHeaders(String id, long timestamp, String body) {
        return Map.of(
                "webhook-id", id,
                "webhook-timestamp", String.valueOf(timestamp),
                "webhook-signature", sign(ANTHROPIC_WEBHOOK_KEY, id, timestamp, body));
    }

    private Api.Response post(String body, Map<String, String> headers) {
        Api.Call call = api.post(PATH).content("application/json", body);
        headers.forEach(call::header);
        return call.send();
    }

    private WebhookReceiver receiver(String secret) {
        AnthropicConnectorProperties properties = new AnthropicConnectorProperties(
                AnthropicFake.baseUrl(),
                secret,
                Duration.ofSeconds(1),
                999,
                Duration.ofSeconds(5),
                10,
                Duration.ofMinutes(2),
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofHours(1));
        return new WebhookReceiver(properties, loop, json, meters);
    }

    private double webhooks(String outcome) {
        return meters.find("perimeter.connector.anthropic.webhooks").tag("outcome", outcome).counters().stream()
                .mapToDouble(counter -> counter.count())
                .sum();
    }

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return Map.of(
                "webhook-id", List.of(id),
                "webhook-timestamp", List.of(String.valueOf(timestamp)),
                "webhook-signature", List.of(signature));
    }

    private static String event(String type) {
        return "{\"type\":\"event\",\"id\":\"event_01abc\",\"created_at\":\"2026-11-27T09:00:00Z\",\"data\":"
                + "{\"type\":\"" + type + "\",\"id\":\"sesn_01xyz\",\"organization_id\":\"org_1\","
                + "\"workspace_id\":\"wrkspc_1\"}}";
    }

    /** Standard Webhooks' v1 signature, written here from the specification, apart from the code under test. */
    static String sign(String secret, String id, long timestamp, String body) {
        try {
            byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
