package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.support.ApiTestSupport;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The recount job repairs admission counters that something other than Perimeter has corrupted. */
class CounterRecountTests extends ApiTestSupport {

    @Autowired
    CounterRecountJob recount;

    @Autowired
    JdbcClient jdbc;

    @Test
    void recountRepairsCountersCorruptedByHand() {
        TestTenant tenant = newTenant();
        createSandbox(tenant, Map.of("agentId", "planner"));
        createSandbox(tenant, Map.of("agentId", "planner"));
        String ended = createSandbox(tenant, Map.of()).get("id").asString();
        destroyAndWait(tenant, ended);

        jdbc.sql("update tenant_counters set active_sandboxes = 40, reserved_usd = 123.45 where tenant_id = ?")
                .param(tenant.id())
                .update();
        jdbc.sql("update agent_counters set active_sandboxes = 9 where tenant_id = ? and agent_id = 'planner'")
                .param(tenant.id())
                .update();
        jdbc.sql("insert into agent_counters (tenant_id, agent_id, active_sandboxes) values (?, 'ghost', 4)")
                .param(tenant.id())
                .update();

        await().atMost(Duration.ofSeconds(10)).until(recount::run);

        assertThat(jdbc.sql("select active_sandboxes from tenant_counters where tenant_id = ?")
                        .param(tenant.id())
                        .query(Integer.class)
                        .single())
                .isEqualTo(2);
        assertThat(jdbc.sql("select reserved_usd from tenant_counters where tenant_id = ?")
                        .param(tenant.id())
                        .query(BigDecimal.class)
                        .single())
                .isEqualByComparingTo("0");
        assertThat(jdbc.sql("select agent_id || '=' || active_sandboxes from agent_counters where tenant_id = ?")
                        .param(tenant.id())
                        .query(String.class)
                        .list())
                .containsExactly("planner=2");
        assertThat(activeSandboxes(tenant)).isEqualTo(2);
    }
}
