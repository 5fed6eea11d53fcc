package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.jobs.LeaderJobs;
import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.tenant.Budget;
import java.sql.Date;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * After a create → exec → destroy, the platform's Prometheus finds every module's {@code perimeter_*} series at
 * {@code /actuator/prometheus}, which an admin key may read and a tenant key may not.
 */
class PrometheusScrapeTests extends ApiTestSupport {

    @Autowired
    SandboxGauges gauges;

    @Autowired
    LeaderJobs jobs;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aLifecycleShowsUpInThePrometheusScrape() {
        TestTenant tenant = newTenant();
        String sandboxId = createSandbox(tenant, Map.of()).get("id").asString();
        String kept = createSandbox(tenant, Map.of()).get("id").asString();
        exec(tenant, sandboxId, Map.of("command", List.of("true")));
        exec(tenant, sandboxId, Map.of("command", List.of("false")));
        destroyAndWait(tenant, sandboxId);
        api.get("/v1/sandboxes").key("not-a-key").send();
        jobs.runExclusively("prometheus-scrape-test", Duration.ofSeconds(1), Duration.ofSeconds(1), () -> {});
        jdbc.sql("insert into tenant_spend (tenant_id, period_start, spent_usd) values (:tenant, :period, 1.25)")
                .param("tenant", tenant.id())
                .param("period", Date.valueOf(Budget.Period.MONTHLY.startOf(Instant.now())))
                .update();
        gauges.refresh();

        Api.Response scrape = api.get("/actuator/prometheus").key(ADMIN_KEY).send();

        assertThat(scrape.status()).as(scrape.text()).isEqualTo(200);
        assertThat(scrape.text())
                .contains("perimeter_sandbox_admissions_total{outcome=\"admitted\"}")
                .contains("perimeter_sandbox_admission_seconds_count")
                .containsPattern("perimeter_provider_calls_seconds_count\\{operation=\"create\",outcome=\"ok\","
                        + "provider=\"local\"} [1-9]")
                .containsPattern("perimeter_provider_calls_seconds_count\\{operation=\"destroy\",outcome=\"ok\","
                        + "provider=\"local\"} [1-9]")
                .containsPattern("perimeter_provider_calls_seconds_bucket\\{operation=\"exec\",outcome=\"ok\","
                        + "provider=\"local\",le=\"0.05\"}")
                .containsPattern(
                        "perimeter_sandbox_execs_seconds_count\\{outcome=\"exit-zero\",provider=\"local\"} [1-9]")
                .containsPattern(
                        "perimeter_sandbox_execs_seconds_count\\{outcome=\"exit-nonzero\",provider=\"local\"} [1-9]")
                .contains("perimeter_sandboxes_active{provider=\"local\",tenant=\"" + tenant.id() + "\"} 1")
                .contains("perimeter_tenant_spend_usd{tenant=\"" + tenant.id() + "\"} 1.25")
                .containsPattern("perimeter_auth_rejections_total [1-9]")
                .contains("perimeter_jobs_runs_seconds_count{job=\"prometheus-scrape-test\",outcome=\"ran\"} 1")
                .contains("http_server_requests_seconds_count");
        destroyAndWait(tenant, kept);
    }

    @Test
    void onlyAnAdminKeyReadsMetricsOnTheApiPort() {
        TestTenant tenant = newTenant();
        assertProblem(api.get("/actuator/prometheus").send(), 401, "unauthorized");
        assertProblem(api.get("/actuator/prometheus").key(tenant.key()).send(), 403, "forbidden");
        assertThat(api.get("/livez").send().status()).isEqualTo(200);
        assertThat(api.get("/readyz").send().status()).isEqualTo(200);
        assertThat(api.get("/actuator/health/readiness").send().status()).isEqualTo(200);
    }
}
