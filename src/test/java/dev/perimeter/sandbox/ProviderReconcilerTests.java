package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.provider.ProviderRegistry;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.shared.Ids;
import dev.perimeter.support.ApiTestSupport;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The reconciler destroys provider sandboxes without a live row and fails rows whose provider sandbox vanished. */
class ProviderReconcilerTests extends ApiTestSupport {

    @Autowired
    ProviderReconciler reconciler;

    @Autowired
    ProviderRegistry providers;

    @Autowired
    SandboxCounters counters;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aVendorSandboxWithNoRowIsDestroyed() {
        String orphan = Ids.next("sbx");
        local().create(new SandboxSpec(
                orphan,
                "nobody",
                "corr",
                local().capabilities().regions().iterator().next(),
                null,
                new SandboxSpec.Resources(1, 256, null),
                SandboxSpec.Egress.denyAll(),
                Map.of(),
                Map.of(),
                Duration.ofMinutes(5),
                null));
        assertThat(local().status(orphan)).isEqualTo(SandboxStatus.RUNNING);

        reconcile();

        assertThat(local().status(orphan)).isEqualTo(SandboxStatus.UNKNOWN);
    }

    @Test
    void aVendorSandboxWhoseRowFailedIsDestroyed() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        jdbc.sql("update sandboxes set state = 'FAILED', ended_at = now(), end_reason = 'PROVIDER_ERROR: timed out' "
                        + "where id = ?")
                .param(id)
                .update();
        counters.recount(tenant.id(), dev.perimeter.tenant.Budget.Period.MONTHLY.startOf(java.time.Instant.now()));

        reconcile();

        assertThat(local().status(id)).isEqualTo(SandboxStatus.UNKNOWN);
    }

    @Test
    void aRunningRowWhoseVendorSandboxVanishedFailsAndFreesItsSlot() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        local().destroy(id);

        reconcile();

        JsonNode sandbox =
                api.get("/v1/sandboxes/" + id).key(tenant.key()).send().json();
        assertThat(sandbox.get("state").asString()).isEqualTo("FAILED");
        assertThat(sandbox.get("endReason").asString()).startsWith("PROVIDER_LOST");
        assertThat(activeSandboxes(tenant)).isZero();
        assertThat(jdbc.sql("select active_sandboxes from tenant_counters where tenant_id = ?")
                        .param(tenant.id())
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    private void reconcile() {
        await().atMost(Duration.ofSeconds(10)).until(reconciler::run);
    }

    private SandboxProvider local() {
        return providers.get("local");
    }
}
