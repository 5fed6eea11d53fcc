package dev.perimeter.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Every admin change and lifecycle call leaves one append-only audit row with the actor's key id, the tenant, the
 * outcome and the request's correlation id, and never a secret; admins read them with {@code GET /v1/audit}.
 */
class AuditTrailTests extends ApiTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AuditRetention retention;

    @Test
    void lifecycleCallsAndAdminChangesAreRecordedWithActorOutcomeAndCorrelationId() {
        TestTenant tenant = newTenant();
        String keyId = keyIdOf(tenant);
        limitSandboxes(tenant, 1);

        Api.Response created = api.post("/v1/sandboxes")
                .key(tenant.key())
                .header("X-Correlation-Id", "audit-create-1")
                .json(Map.of())
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String sandboxId = created.json().get("id").asString();
        Api.Response refused = api.post("/v1/sandboxes")
                .key(tenant.key())
                .header("X-Correlation-Id", "audit-refused-1")
                .json(Map.of())
                .send();
        assertProblem(refused, 429, "quota-exceeded");
        exec(tenant, sandboxId, Map.of("command", List.of("true")));
        destroyAndWait(tenant, sandboxId);

        List<JsonNode> events = events("?tenantId=" + tenant.id());
        assertThat(events)
                .extracting(e -> e.get("action").asString())
                .containsExactly(
                        "sandbox.destroy",
                        "sandbox.exec",
                        "sandbox.create",
                        "sandbox.create",
                        "tenant.quota.set",
                        "apikey.create",
                        "tenant.create");

        JsonNode create = events.get(3);
        assertThat(create.get("actor").asString()).isEqualTo(keyId);
        assertThat(create.get("targetId").asString()).isEqualTo(sandboxId);
        assertThat(create.get("outcome").asString()).isEqualTo("SUCCESS");
        assertThat(create.get("correlationId").asString()).isEqualTo("audit-create-1");
        assertThat(create.get("details").get("status").asInt()).isEqualTo(201);

        JsonNode denied = events.get(2);
        assertThat(denied.get("outcome").asString()).isEqualTo("DENIED");
        assertThat(denied.get("correlationId").asString()).isEqualTo("audit-refused-1");
        assertThat(denied.get("details").get("problem").asString()).isEqualTo("quota-exceeded");
        assertThat(denied.get("targetId").isNull()).isTrue();

        JsonNode issued = events.get(5);
        assertThat(issued.get("actor").asString()).startsWith("key_").isNotEqualTo(keyId);
        assertThat(issued.get("targetId").asString()).isEqualTo(keyId);
        assertThat(issued.get("tenantId").asString()).isEqualTo(tenant.id());

        assertThat(events.get(6).get("targetId").asString()).isEqualTo(tenant.id());
        assertThat(events.get(0).get("targetId").asString()).isEqualTo(sandboxId);
    }

    @Test
    void aStreamedExecIsRecordedOnce() {
        TestTenant tenant = newTenant();
        String sandboxId = createSandbox(tenant, Map.of()).get("id").asString();
        Api.Response streamed = api.post("/v1/sandboxes/" + sandboxId + "/exec")
                .key(tenant.key())
                .header("Accept", "text/event-stream")
                .header("X-Correlation-Id", "audit-sse-1")
                .json(Map.of("command", List.of("echo", "hi")))
                .send();
        assertThat(streamed.status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> !events("?tenantId=" + tenant.id() + "&action=sandbox.exec")
                .isEmpty());
        List<JsonNode> execs = events("?tenantId=" + tenant.id() + "&action=sandbox.exec");
        assertThat(execs).hasSize(1);
        assertThat(execs.getFirst().get("correlationId").asString()).isEqualTo("audit-sse-1");
        assertThat(execs.getFirst().get("actor").asString()).isEqualTo(keyIdOf(tenant));
    }

    @Test
    void noSecretReachesTheTrail() {
        TestTenant tenant = newTenant();
        createSandbox(tenant, Map.of("env", Map.of("DB_PASSWORD", "s3cret-planted-value")));

        String rows = String.join(
                "\n",
                jdbc.sql("select row_to_json(a)::text from audit_events a where tenant_id = ?")
                        .param(tenant.id())
                        .query(String.class)
                        .list());
        assertThat(rows).contains("sandbox.create");
        assertThat(rows).doesNotContain(tenant.key()).doesNotContain(ADMIN_KEY).doesNotContain("s3cret-planted-value");
    }

    @Test
    void onlyAdminsReadTheTrailAndBadFiltersAreProblems() {
        TestTenant tenant = newTenant();
        assertProblem(api.get("/v1/audit").key(tenant.key()).send(), 403, "forbidden");
        assertProblem(api.get("/v1/audit").send(), 401, "unauthorized");
        assertProblem(api.get("/v1/audit?tenantId=../etc").key(ADMIN_KEY).send(), 400, "validation-failed");
        assertProblem(api.get("/v1/audit?action=%27%20or%201=1").key(ADMIN_KEY).send(), 400, "validation-failed");
        Api.Response since = api.get("/v1/audit?since=yesterday").key(ADMIN_KEY).send();
        assertProblem(since, 400, "validation-failed");
        assertProblem(api.get("/v1/audit?limit=0").key(ADMIN_KEY).send(), 400, "validation-failed");
        assertProblem(api.get("/v1/audit?limit=501").key(ADMIN_KEY).send(), 400, "validation-failed");
        assertProblem(api.get("/v1/audit?cursor=bm9wZQ").key(ADMIN_KEY).send(), 400, "validation-failed");
        assertProblem(
                api.get("/v1/audit?tenantId=" + "a".repeat(5000)).key(ADMIN_KEY).send(), 400, "validation-failed");
        assertThat(events("?tenantId=never-" + tenant.id())).isEmpty();
    }

    @Test
    void pagesWalkTheWholeTrailNewestFirst() {
        TestTenant tenant = newTenant();
        for (int i = 0; i < 5; i++) {
            api.post("/v1/tenants/" + tenant.id() + "/api-keys")
                    .key(ADMIN_KEY)
                    .json(Map.of("name", "k" + i))
                    .send();
        }
        List<JsonNode> all = events("?tenantId=" + tenant.id());
        List<JsonNode> walked = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get(
                            "/v1/audit?limit=2&tenantId=" + tenant.id() + (cursor == null ? "" : "&cursor=" + cursor))
                    .key(ADMIN_KEY)
                    .send()
                    .json();
            page.get("items").forEach(walked::add);
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asString();
        } while (cursor != null);
        assertThat(walked)
                .extracting(e -> e.get("id").asString())
                .containsExactlyElementsOf(
                        all.stream().map(e -> e.get("id").asString()).toList());
        assertThat(walked).hasSize(7);
    }

    @Test
    void rowsCannotBeChangedOrDeletedAndRetentionRemovesOnlyOldOnes() {
        TestTenant tenant = newTenant();
        jdbc.sql(
                        """
                        insert into audit_events (id, at, actor, tenant_id, action, correlation_id, outcome)
                        values ('aud_old', now() - interval '401 days', 'system:test', ?, 'test.old', 'c', 'SUCCESS')
                        """)
                .param(tenant.id())
                .update();

        assertThatThrownBy(() -> jdbc.sql("update audit_events set actor = 'mallory' where tenant_id = ?")
                        .param(tenant.id())
                        .update())
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.sql("delete from audit_events where tenant_id = ?")
                        .param(tenant.id())
                        .update())
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("append-only");

        await().atMost(Duration.ofSeconds(10)).until(retention::run);

        assertThat(events("?tenantId=" + tenant.id()))
                .extracting(e -> e.get("action").asString())
                .containsExactly("apikey.create", "tenant.create");
    }

    private List<JsonNode> events(String query) {
        Api.Response response = api.get("/v1/audit" + query + (query.contains("limit") ? "" : "&limit=500"))
                .key(ADMIN_KEY)
                .send();
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return StreamSupport.stream(response.json().get("items").spliterator(), false)
                .toList();
    }

    private String keyIdOf(TestTenant tenant) {
        return jdbc.sql("select id from api_keys where tenant_id = ?")
                .param(tenant.id())
                .query(String.class)
                .single();
    }
}
