package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Sessions go through the tenant's admission like any sandbox: over quota the item waits for its next delivery
 * (audited once, counted), and a refusal that cannot pass fails the session and stops its work item.
 */
class AdmissionTests extends ConnectorTestSupport {

    @Autowired
    MeterRegistry meters;

    @Test
    void aTenantAtQuotaLeavesTheItemWaitingAuditsItOnceAndRunsItWhenASlotFrees() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 1);
        String blocker = createSandbox(tenant, Map.of()).get("id").asString();
        Bound bound = bind(tenant, SLEEPING_WORKER);
        double refused = refused("quota-exceeded");

        String workId = queue.enqueue(bound.environmentId(), "sesn_quota");
        pollUntil(() -> stateOf(tenant, workId).equals("WAITING"));

        assertThat(session(tenant, workId).get("reason").asString()).isEqualTo("quota-exceeded");
        assertThat(queue.state(workId))
                .as("acknowledged, left for a later delivery")
                .isEqualTo("starting");
        assertThat(sandboxes(tenant)).hasSize(1);
        assertThat(refused("quota-exceeded")).isEqualTo(refused + 1);
        JsonNode deferred = audit(tenant, "anthropic.session.defer");
        assertThat(deferred).hasSize(1);
        assertThat(deferred.get(0).get("outcome").asString()).isEqualTo("DENIED");
        assertThat(deferred.get(0).get("actor").asString()).isEqualTo("system:anthropic-connector");
        assertThat(deferred.get(0).get("targetId").asString()).isEqualTo("sesn_quota");
        assertThat(deferred.get(0).get("details").get("reason").asString()).isEqualTo("quota-exceeded");

        AnthropicFake.shared().advance(Duration.ofSeconds(10));
        pollUntil(() -> queue.deliveries(workId) >= 2);
        assertThat(stateOf(tenant, workId)).isEqualTo("WAITING");
        assertThat(audit(tenant, "anthropic.session.defer"))
                .as("audited once while it waits")
                .hasSize(1);

        destroyAndWait(tenant, blocker);
        AnthropicFake.shared().advance(Duration.ofSeconds(10));
        pollUntil(() -> stateOf(tenant, workId).equals("RUNNING"));
        assertThat(sandboxes(tenant)).hasSize(2);
        assertThat(audit(tenant, "anthropic.session.start")).hasSize(1);
    }

    @Test
    void aWaitingSessionThatAnthropicStopsIsForgotten() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 1);
        createSandbox(tenant, Map.of());
        Bound bound = bind(tenant, SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_gave_up");
        pollUntil(() -> stateOf(tenant, workId).equals("WAITING"));

        queue.stopFromAnthropic(workId);
        watchUntil(() -> stateOf(tenant, workId).equals("ENDED"));

        assertThat(session(tenant, workId).get("reason").asString()).isEqualTo("WORK_STOPPED");
        assertThat(sandboxes(tenant)).hasSize(1);
    }

    @Test
    void aRefusalThatCannotPassFailsTheSessionAndStopsTheWork() {
        Bound bound = bind(List.of("true"));
        TestTenant tenant = bound.tenant();
        assertThat(api.patch("/v1/tenants/" + tenant.id())
                        .key(ADMIN_KEY)
                        .json(Map.of("allowedProviders", List.of("daytona")))
                        .send()
                        .status())
                .isEqualTo(200);
        String workId = queue.enqueue(bound.environmentId(), "sesn_refused");

        pollUntil(() -> stateOf(tenant, workId).equals("FAILED"));

        assertThat(session(tenant, workId).get("reason").asString()).startsWith("provider-not-allowed");
        assertThat(queue.state(workId)).isEqualTo("stopped");
        assertThat(sandboxes(tenant)).isEmpty();
        JsonNode refused = audit(tenant, "anthropic.session.refuse");
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).get("outcome").asString()).isEqualTo("FAILED");
    }

    private String stateOf(TestTenant tenant, String workId) {
        for (JsonNode session : sessions(tenant)) {
            if (session.get("workId").asString().equals(workId)) {
                return session.get("state").asString();
            }
        }
        return "NONE";
    }

    private JsonNode audit(TestTenant tenant, String action) {
        return api.get("/v1/audit?tenantId=" + tenant.id() + "&action=" + action)
                .key(ADMIN_KEY)
                .send()
                .json()
                .get("items");
    }

    private double refused(String reason) {
        Counter counter = meters.find("perimeter.connector.anthropic.sessions.refused")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
