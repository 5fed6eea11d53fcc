package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.MutableClock;
import dev.perimeter.support.RecordingProviders;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 4 with a clock the test moves: admission refuses a create whose estimate would pass the budget, the meter
 * turns running time into ledger charges, {@code STOP_RUNNING} ends running sandboxes once the spend reaches the
 * limit, and the ledger, the tenant's spend and the sandboxes' costs agree exactly.
 *
 * <p>The local provider is priced at $0.01 per vCPU-second and $0.01 per create for these tests, so a default
 * sandbox (1 vCPU) with a five-minute timeout is estimated at $3.01.
 */
@Import(BudgetTests.FakeClock.class)
class BudgetTests extends ApiTestSupport {

    @Autowired
    MutableClock clock;

    @Autowired
    UsageMeter meter;

    @Autowired
    BudgetEnforcement budgets;

    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void priceTheLocalProvider() {
        setLocalPrice("0.01", "0.01");
    }

    @AfterEach
    void makeTheLocalProviderFreeAgain() {
        setLocalPrice("0", "0");
    }

    @Test
    void createsAreRefusedOnceTheEstimateWouldPassTheBudget() {
        TestTenant tenant = tenantWithBudget("5.00", "DENY_NEW");
        String first = create(tenant, "PT5M").json().get("id").asString();

        Api.Response refused = create(tenant, "PT5M");
        assertProblem(refused, 402, "budget-exhausted");
        assertThat(refused.json().get("limitUsd").asString()).isEqualTo("5.00");
        assertThat(refused.json().get("spentUsd").asString()).isEqualTo("0.00");
        assertThat(refused.json().get("estimateUsd").asString()).isEqualTo("3.01");

        String second = create(tenant, "PT1M").json().get("id").asString();
        clock.advance(Duration.ofSeconds(60));
        runMeter();
        assertThat(spent(tenant)).isEqualByComparingTo("1.22");

        String third = create(tenant, "PT2M").json().get("id").asString();
        Api.Response overBudget = create(tenant, "PT1M");
        assertProblem(overBudget, 402, "budget-exhausted");
        assertThat(overBudget.json().get("spentUsd").asString()).isEqualTo("1.22");
        assertThat(overBudget.json().get("reservedUsd").asString()).isEqualTo("3.61");

        for (String id : List.of(first, second, third)) {
            destroyAndWait(tenant, id);
        }
        clock.advance(Duration.ofSeconds(30));
        runMeter();
        assertLedgerAgrees(tenant, List.of(first, second, third));
        assertThat(reserved(tenant)).as("ended sandboxes hold no reservation").isEqualByComparingTo("0");
    }

    @Test
    void aFailedProviderCallGivesBackTheSlotAndTheReservation() {
        TestTenant tenant = tenantWithBudget("5.00", "DENY_NEW");
        api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(Map.of("maxParallelSandboxes", 1))
                .send();
        RecordingProviders.failNextCreate(tenant.id(), "the vendor is down");
        Api.Response failed = create(tenant, "PT5M");
        assertProblem(failed, 502, "provider-error");
        assertThat(active(tenant)).isZero();
        assertThat(reserved(tenant)).isEqualByComparingTo("0");
        JsonNode created = create(tenant, "PT5M").json();
        assertThat(created.get("state").asString()).as("the slot is free again").isEqualTo("RUNNING");
        assertThat(reserved(tenant)).isEqualByComparingTo("3.01");
        JsonNode failedRow = api.get("/v1/sandboxes?state=FAILED")
                .key(tenant.key())
                .send()
                .json()
                .get("items")
                .get(0);
        assertThat(failedRow.get("endReason").asString()).contains("the vendor is down");
    }

    @Test
    void stopRunningEndsRunningSandboxesWhenTheMeterCrossesTheBudget() {
        TestTenant tenant = tenantWithBudget("100", "STOP_RUNNING");
        String first = create(tenant, "PT10M").json().get("id").asString();
        String second = create(tenant, "PT10M").json().get("id").asString();
        clock.advance(Duration.ofSeconds(100));
        runMeter();
        assertThat(spent(tenant)).isEqualByComparingTo("2.02");
        assertThat(state(tenant, first).get("state").asString()).isEqualTo("RUNNING");
        assertThat(state(tenant, first).get("costUsd").asString()).isEqualTo("1.01");

        setBudget(tenant, "2.00", "STOP_RUNNING");
        clock.advance(Duration.ofSeconds(1));
        runMeter();

        for (String id : List.of(first, second)) {
            JsonNode sandbox = state(tenant, id);
            assertThat(sandbox.get("state").asString()).isEqualTo("DESTROYED");
            assertThat(sandbox.get("endReason").asString()).isEqualTo("BUDGET_EXHAUSTED");
        }
        assertProblem(create(tenant, "PT1M"), 402, "budget-exhausted");
        clock.advance(Duration.ofSeconds(10));
        runMeter();
        assertThat(spent(tenant)).as("nothing accrues after the stop").isEqualByComparingTo("2.04");
        assertLedgerAgrees(tenant, List.of(first, second));
        assertThat(active(tenant)).isZero();
    }

    @Test
    void denyNewLetsRunningSandboxesRunButRefusesNewOnes() {
        TestTenant tenant = tenantWithBudget("100", "DENY_NEW");
        String running = create(tenant, "PT10M").json().get("id").asString();
        clock.advance(Duration.ofSeconds(200));
        runMeter();
        setBudget(tenant, "1.00", "DENY_NEW");
        clock.advance(Duration.ofSeconds(1));
        runMeter();
        assertThat(state(tenant, running).get("state").asString()).isEqualTo("RUNNING");
        assertProblem(create(tenant, "PT1M"), 402, "budget-exhausted");
        destroyAndWait(tenant, running);
        runMeter();
        assertLedgerAgrees(tenant, List.of(running));
    }

    @Test
    void usageReportsThePerProviderFiguresOfTheLedger() {
        TestTenant tenant = tenantWithBudget("100", "DENY_NEW");
        String id = create(tenant, "PT10M").json().get("id").asString();
        clock.advance(Duration.ofSeconds(90));
        runMeter();
        destroyAndWait(tenant, id);
        clock.advance(Duration.ofSeconds(5));
        runMeter();
        JsonNode usage = api.get("/v1/usage").key(tenant.key()).send().json();
        JsonNode local = usage.get("providers").get(0);
        assertThat(local.get("provider").asString()).isEqualTo("local");
        assertThat(local.get("sandboxesCreated").asLong()).isEqualTo(1);
        assertThat(local.get("sandboxSeconds").decimalValue()).isEqualByComparingTo("90");
        assertThat(local.get("vcpuSeconds").decimalValue()).isEqualByComparingTo("90");
        assertThat(local.get("costUsd").asString()).isEqualTo("0.91");
        assertThat(usage.get("costUsd").asString()).isEqualTo("0.91");
        assertThat(api.get("/v1/tenants/" + tenant.id() + "/usage")
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("costUsd")
                        .asString())
                .isEqualTo("0.91");
    }

    private void assertLedgerAgrees(TestTenant tenant, List<String> sandboxIds) {
        BigDecimal ledger = jdbc.sql("select coalesce(sum(cost_usd), 0) from usage_ledger where tenant_id = ?")
                .param(tenant.id())
                .query(BigDecimal.class)
                .single();
        BigDecimal sandboxes = jdbc.sql("select coalesce(sum(cost_usd), 0) from sandboxes where tenant_id = ?")
                .param(tenant.id())
                .query(BigDecimal.class)
                .single();
        assertThat(ledger).isEqualByComparingTo(spent(tenant));
        assertThat(sandboxes).isEqualByComparingTo(ledger);
        BigDecimal shown = new BigDecimal(api.get("/v1/tenants/" + tenant.id())
                .key(ADMIN_KEY)
                .send()
                .json()
                .get("spentThisPeriodUsd")
                .asString());
        assertThat(shown)
                .as("the API's spend, to the cent")
                .isEqualByComparingTo(ledger.setScale(2, java.math.RoundingMode.HALF_UP));
        BigDecimal perSandbox = sandboxIds.stream()
                .map(id -> new BigDecimal(state(tenant, id).get("costUsd").asString()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(perSandbox).isEqualByComparingTo(ledger.setScale(6, java.math.RoundingMode.HALF_UP));
    }

    private void runMeter() {
        while (meter.meter(1000) == 1000) {
            // drain
        }
        budgets.enforce();
    }

    private TestTenant tenantWithBudget(String limit, String onExhausted) {
        TestTenant tenant = newTenant();
        setBudget(tenant, limit, onExhausted);
        return tenant;
    }

    private void setBudget(TestTenant tenant, String limit, String onExhausted) {
        Api.Response set = api.put("/v1/tenants/" + tenant.id() + "/budget")
                .key(ADMIN_KEY)
                .json(Map.of("limitUsd", limit, "period", "MONTHLY", "onExhausted", onExhausted))
                .send();
        assertThat(set.status()).as(set.text()).isEqualTo(200);
    }

    private void setLocalPrice(String vcpuSecond, String perCreate) {
        Map<String, Object> price = new HashMap<>();
        price.put("vcpuSecondUsd", vcpuSecond);
        price.put("memoryGibSecondUsd", "0");
        price.put("gpuSecondUsd", "0");
        price.put("perCreateUsd", perCreate);
        price.put("snapshotGbMonthUsd", "0");
        price.put("source", "self-hosted: no list price");
        assertThat(api.put("/v1/pricing/local")
                        .key(ADMIN_KEY)
                        .json(price)
                        .send()
                        .status())
                .isEqualTo(200);
    }

    private Api.Response create(TestTenant tenant, String timeout) {
        return api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("timeout", timeout, "resources", Map.of("vcpus", 1, "memoryMib", 512)))
                .send();
    }

    private JsonNode state(TestTenant tenant, String id) {
        return api.get("/v1/sandboxes/" + id).key(tenant.key()).send().json();
    }

    private BigDecimal spent(TestTenant tenant) {
        return jdbc.sql("select coalesce(sum(spent_usd), 0) from tenant_spend where tenant_id = ?")
                .param(tenant.id())
                .query(BigDecimal.class)
                .single();
    }

    private BigDecimal reserved(TestTenant tenant) {
        return jdbc.sql("select reserved_usd from tenant_counters where tenant_id = ?")
                .param(tenant.id())
                .query(BigDecimal.class)
                .single();
    }

    private int active(TestTenant tenant) {
        return jdbc.sql("select active_sandboxes from tenant_counters where tenant_id = ?")
                .param(tenant.id())
                .query(Integer.class)
                .single();
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class FakeClock {

        @Bean
        @Primary
        MutableClock mutableClock() {
            return new MutableClock();
        }
    }
}
