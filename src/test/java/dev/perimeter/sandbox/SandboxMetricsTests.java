package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Admissions by outcome, live sandboxes by tenant and provider, and the admission latency reach Micrometer. */
class SandboxMetricsTests extends ApiTestSupport {

    @Autowired
    MeterRegistry meters;

    @Autowired
    SandboxGauges gauges;

    @Test
    void admissionsRejectionsAndLiveSandboxesAreMeasured() {
        TestTenant tenant = newTenant();
        api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(Map.of("maxParallelSandboxes", 1))
                .send();
        double admitted = count("admitted");
        double rejected = count("quota-exceeded-tenant");
        createSandbox(tenant, Map.of());
        assertProblem(api.post("/v1/sandboxes").key(tenant.key()).json(Map.of()).send(), 429, "quota-exceeded");

        assertThat(count("admitted")).isEqualTo(admitted + 1);
        assertThat(count("quota-exceeded-tenant")).isEqualTo(rejected + 1);
        gauges.refresh();
        assertThat(meters.get("perimeter.sandboxes.active")
                        .tags("tenant", tenant.id(), "provider", "local")
                        .gauge()
                        .value())
                .isEqualTo(1.0);

        Api.Response latency = api.get("/actuator/metrics/perimeter.sandbox.admission")
                .key(ADMIN_KEY)
                .send();
        assertThat(latency.status()).as(latency.text()).isEqualTo(200);
        JsonNode count = latency.json().get("measurements").get(0);
        assertThat(count.get("statistic").asString()).isEqualTo("COUNT");
        assertThat(count.get("value").asDouble()).isGreaterThanOrEqualTo(2);
        assertThat(api.get("/actuator/metrics/perimeter.sandbox.admission")
                        .key(tenant.key())
                        .send()
                        .status())
                .as("metrics are for the platform team")
                .isEqualTo(403);
    }

    private double count(String outcome) {
        var counter =
                meters.find(AdmissionMetrics.ADMISSIONS).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
