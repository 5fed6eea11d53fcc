package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.RecordingProviders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class SandboxLifecycleTests extends ApiTestSupport {

    @Autowired
    SandboxReaper reaper;

    @Autowired
    JdbcClient jdbc;

    @Test
    void createExecFilesSnapshotRestoreDestroyThroughTheApi() {
        TestTenant tenant = newTenant();
        Api.Response created = api.post("/v1/sandboxes")
                .key(tenant.key())
                .header("X-Correlation-Id", "lifecycle-test-1")
                .json(Map.of("agentId", "agent-7", "labels", Map.of("team", "risk")))
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.header("X-Correlation-Id")).isEqualTo("lifecycle-test-1");
        JsonNode sandbox = created.json();
        String id = sandbox.get("id").asString();
        assertThat(id).startsWith("sbx_");
        assertThat(created.header("Location")).isEqualTo("/v1/sandboxes/" + id);
        assertThat(sandbox.get("state").asString()).isEqualTo("RUNNING");
        assertThat(sandbox.get("tenantId").asString()).isEqualTo(tenant.id());
        assertThat(sandbox.get("provider").asString()).isEqualTo("local");
        assertThat(sandbox.get("region").asString()).isEqualTo("local");
        assertThat(sandbox.get("agentId").asString()).isEqualTo("agent-7");
        assertThat(sandbox.get("egress").get("mode").asString()).isEqualTo("DENY_ALL");
        assertThat(sandbox.get("correlationId").asString()).isEqualTo("lifecycle-test-1");
        assertThat(sandbox.get("labels").get("team").asString()).isEqualTo("risk");
        assertThat(sandbox.get("costUsd").asString()).isEqualTo("0.00");
        assertThat(sandbox.get("readyAt").isNull()).isFalse();

        JsonNode result = api.post("/v1/sandboxes/" + id + "/exec")
                .key(tenant.key())
                .header("X-Correlation-Id", "lifecycle-exec-1")
                .json(Map.of("command", List.of("sh", "-c", "echo hello; echo oops >&2; exit 3")))
                .send()
                .json();
        assertThat(result.get("id").asString()).startsWith("exec_");
        assertThat(result.get("exitCode").asInt()).isEqualTo(3);
        assertThat(result.get("stdout").asString()).isEqualTo("hello\n");
        assertThat(result.get("stderr").asString()).isEqualTo("oops\n");
        assertThat(result.get("timedOut").asBoolean()).isFalse();
        assertThat(result.get("truncated").asBoolean()).isFalse();
        Map<String, Object> record = jdbc.sql(
                        "select program, argument_count, exit_code, timed_out, correlation_id, ended_at from execs where id = ?")
                .param(result.get("id").asString())
                .query()
                .singleRow();
        assertThat(record)
                .containsEntry("program", "sh")
                .containsEntry("argument_count", 3)
                .containsEntry("exit_code", 3)
                .containsEntry("timed_out", false)
                .containsEntry("correlation_id", "lifecycle-exec-1");
        assertThat(record.get("ended_at")).isNotNull();

        JsonNode withInput =
                exec(tenant, id, Map.of("command", List.of("cat"), "stdin", "from stdin", "env", Map.of()));
        assertThat(withInput.get("stdout").asString()).isEqualTo("from stdin");

        byte[] content = "report body\n".getBytes(StandardCharsets.UTF_8);
        Api.Response put = api.put("/v1/sandboxes/" + id + "/files?path=reports/q3.txt")
                .key(tenant.key())
                .bytes(content)
                .send();
        assertThat(put.status()).as(put.text()).isEqualTo(204);
        Api.Response read = api.get("/v1/sandboxes/" + id + "/files?path=/workspace/reports/q3.txt")
                .key(tenant.key())
                .send();
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.raw()).isEqualTo(content);
        assertThat(exec(tenant, id, Map.of("command", List.of("cat", "reports/q3.txt")))
                        .get("stdout")
                        .asString())
                .isEqualTo("report body\n");

        Api.Response snapshot = api.post("/v1/sandboxes/" + id + "/snapshots")
                .key(tenant.key())
                .json(Map.of("name", "after-report"))
                .send();
        assertThat(snapshot.status()).as(snapshot.text()).isEqualTo(201);
        String snapshotId = snapshot.json().get("id").asString();
        assertThat(snapshotId).startsWith("snap_");
        assertThat(snapshot.json().get("state").asString()).isEqualTo("READY");
        assertThat(snapshot.json().get("persistence").asString()).isEqualTo("PERSISTENT");
        assertThat(snapshot.json().get("sizeBytes").asLong()).isPositive();

        JsonNode restored = createSandbox(tenant, Map.of("fromSnapshot", snapshotId));
        String restoredId = restored.get("id").asString();
        assertThat(restored.get("fromSnapshot").asString()).isEqualTo(snapshotId);
        Api.Response restoredFile = api.get("/v1/sandboxes/" + restoredId + "/files?path=reports/q3.txt")
                .key(tenant.key())
                .send();
        assertThat(restoredFile.status()).isEqualTo(200);
        assertThat(restoredFile.raw()).isEqualTo(content);

        Api.Response listed =
                api.get("/v1/sandboxes?agentId=agent-7").key(tenant.key()).send();
        assertThat(listed.json().get("items")).hasSize(1);
        assertThat(listed.json().get("items").get(0).get("id").asString()).isEqualTo(id);

        Api.Response destroyed =
                api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
        assertThat(destroyed.status()).isEqualTo(200);
        assertThat(destroyed.json().get("state").asString()).isEqualTo("DESTROYING");
        assertThat(destroyed.json().get("endReason").asString()).isEqualTo("REQUESTED");
        Api.Response again = api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("state").asString()).isIn("DESTROYING", "DESTROYED");
        awaitState(tenant, id, "DESTROYED");

        Api.Response execAfter = api.post("/v1/sandboxes/" + id + "/exec")
                .key(tenant.key())
                .json(Map.of("command", List.of("true")))
                .send();
        assertProblem(execAfter, 409, "conflict");

        Api.Response deleted =
                api.delete("/v1/snapshots/" + snapshotId).key(tenant.key()).send();
        assertThat(deleted.json().get("state").asString()).isEqualTo("DELETED");
        assertThat(api.delete("/v1/snapshots/" + snapshotId)
                        .key(tenant.key())
                        .send()
                        .status())
                .isEqualTo(200);
        api.delete("/v1/sandboxes/" + restoredId).key(tenant.key()).send();
    }

    @Test
    void createAnswersTheSandboxAsAReadAfterwardsShowsIt() {
        TestTenant tenant = newTenant();
        JsonNode created = createSandbox(
                tenant, Map.of("agentId", "agent-9", "labels", Map.of("zeta", "1", "alpha", "2", "mid", "3")));
        String id = created.get("id").asString();
        JsonNode read = api.get("/v1/sandboxes/" + id).key(tenant.key()).send().json();
        assertThat(created.toString()).isEqualTo(read.toString());
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }

    @Test
    void destroyAnswersDestroyingAndFinishesInTheBackground() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        assertThat(exec(tenant, id, Map.of("command", List.of("sh", "-c", "echo kept > file")))
                        .get("exitCode")
                        .asInt())
                .isZero();
        JsonNode destroying = api.delete("/v1/sandboxes/" + id)
                .key(tenant.key())
                .header("X-Correlation-Id", "destroy-in-background")
                .send()
                .json();
        assertThat(destroying.get("state").asString()).isEqualTo("DESTROYING");
        assertThat(destroying.get("endReason").asString()).isEqualTo("REQUESTED");
        JsonNode destroyed = awaitState(tenant, id, "DESTROYED");
        assertThat(destroyed.get("endReason").asString()).isEqualTo("REQUESTED");
        assertThat(destroyed.get("endedAt").isNull()).isFalse();
        assertThat(RecordingProviders.destroys(id)).isPositive();
    }

    @Test
    void destroyWhoseCleanUpFailsIsFinishedByTheReaper() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        RecordingProviders.failDestroys(id, 2);
        assertThat(api.delete("/v1/sandboxes/" + id)
                        .key(tenant.key())
                        .send()
                        .json()
                        .get("state")
                        .asString())
                .isEqualTo("DESTROYING");
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> {
                    reaper.reap();
                    return api.get("/v1/sandboxes/" + id)
                            .key(tenant.key())
                            .send()
                            .json()
                            .get("state")
                            .asString()
                            .equals("DESTROYED");
                });
        assertThat(RecordingProviders.destroys(id)).isGreaterThanOrEqualTo(3);
    }

    private JsonNode awaitState(TestTenant tenant, String id, String state) {
        return org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(
                        () -> api.get("/v1/sandboxes/" + id)
                                .key(tenant.key())
                                .send()
                                .json(),
                        sandbox -> sandbox.get("state").asString().equals(state));
    }

    @Test
    void listsPageWithACursorNewestFirst() {
        TestTenant tenant = newTenant();
        List<String> created = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            created.add(createSandbox(tenant, Map.of()).get("id").asString());
        }
        JsonNode first =
                api.get("/v1/sandboxes?limit=2").key(tenant.key()).send().json();
        assertThat(first.get("items")).hasSize(2);
        String cursor = first.get("nextCursor").asString();
        JsonNode second = api.get("/v1/sandboxes?limit=2&cursor=" + cursor)
                .key(tenant.key())
                .send()
                .json();
        assertThat(second.get("items")).hasSize(1);
        assertThat(second.get("nextCursor").isNull()).isTrue();
        List<String> listed = new java.util.ArrayList<>();
        first.get("items").forEach(item -> listed.add(item.get("id").asString()));
        second.get("items").forEach(item -> listed.add(item.get("id").asString()));
        assertThat(listed).containsExactlyElementsOf(created.reversed());
        created.forEach(
                id -> api.delete("/v1/sandboxes/" + id).key(tenant.key()).send());
    }

    @Test
    void execStreamsOutputAsServerSentEvents() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        Api.Response stream = api.post("/v1/sandboxes/" + id + "/exec")
                .key(tenant.key())
                .header("Accept", "text/event-stream")
                .json(Map.of("command", List.of("sh", "-c", "echo one; echo two >&2; exit 4")))
                .send();
        assertThat(stream.status()).as(stream.text()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
        String events = stream.text();
        assertThat(events).contains("event:stdout").contains("\"data\":\"one\\n\"");
        assertThat(events).contains("event:stderr").contains("\"data\":\"two\\n\"");
        assertThat(events).contains("event:exit").contains("\"exitCode\":4");
        assertThat(events.indexOf("event:exit")).isGreaterThan(events.indexOf("event:stdout"));
    }

    @Test
    void sandboxPastExpiresAtIsDestroyedByTheReaper() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of("timeout", "PT1S")).get("id").asString();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> {
                    reaper.reap();
                    JsonNode sandbox = api.get("/v1/sandboxes/" + id)
                            .key(tenant.key())
                            .send()
                            .json();
                    assertThat(sandbox.get("state").asString()).isEqualTo("DESTROYED");
                    assertThat(sandbox.get("endReason").asString()).isEqualTo("EXPIRED");
                });
        JsonNode audited = api.get("/v1/audit?action=sandbox.destroy&tenantId=" + tenant.id())
                .key(ADMIN_KEY)
                .send()
                .json()
                .get("items")
                .get(0);
        assertThat(audited.get("actor").asString()).isEqualTo("system:sandbox-management");
        assertThat(audited.get("targetId").asString()).isEqualTo(id);
        assertThat(audited.get("details").get("reason").asString()).isEqualTo("EXPIRED");
    }

    @Test
    void snapshotWithTtlExpires() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        String snapshotId = api.post("/v1/sandboxes/" + id + "/snapshots")
                .key(tenant.key())
                .json(Map.of("ttl", "PT1S"))
                .send()
                .json()
                .get("id")
                .asString();
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> {
                    reaper.reap();
                    assertThat(api.get("/v1/snapshots/" + snapshotId)
                                    .key(tenant.key())
                                    .send()
                                    .json()
                                    .get("state")
                                    .asString())
                            .isEqualTo("EXPIRED");
                });
        Api.Response restore = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("fromSnapshot", snapshotId))
                .send();
        assertProblem(restore, 409, "conflict");
    }
}
