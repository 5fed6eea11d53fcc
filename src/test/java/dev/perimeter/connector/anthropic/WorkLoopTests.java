package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** One work item, one sandbox running the worker with the five variables; redelivery, crash and the ends. */
class WorkLoopTests extends ConnectorTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    @Test
    void oneWorkItemGetsOneSandboxWithTheFiveVariablesAndTheWorkerRunning() {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_one");
        double admitted = count("perimeter.connector.anthropic.sessions.admitted");
        double seen = count("perimeter.connector.anthropic.work.seen");
        double acked = count("perimeter.connector.anthropic.work.acked");

        pollUntil(() -> sandboxes(bound.tenant()).size() == 1);

        assertThat(queue.state(workId)).isEqualTo("starting");
        assertThat(queue.acks(workId)).isEqualTo(1);
        JsonNode sandbox = sandboxes(bound.tenant()).get(0);
        assertThat(sandbox.get("state").asString()).isEqualTo("RUNNING");
        assertThat(sandbox.get("agentId").asString()).isEqualTo("sesn_one");
        assertThat(sandbox.get("labels").get("perimeter.dev/anthropic-work").asString())
                .isEqualTo(workId);
        JsonNode session = session(bound.tenant(), workId);
        assertThat(session.get("state").asString()).isEqualTo("RUNNING");
        assertThat(session.get("sessionId").asString()).isEqualTo("sesn_one");
        assertThat(session.get("sandboxId").asString())
                .isEqualTo(sandbox.get("id").asString());

        String sandboxId = sandbox.get("id").asString();
        eventually(() -> workerFile(bound.tenant(), sandboxId, "worker.env") != null);
        assertThat(workerFile(bound.tenant(), sandboxId, "worker.env"))
                .isEqualTo("ANTHROPIC_BASE_URL=" + AnthropicFake.baseUrl() + "\n"
                        + "ANTHROPIC_ENVIRONMENT_ID=" + bound.environmentId() + "\n"
                        + "ANTHROPIC_ENVIRONMENT_KEY=" + bound.key() + "\n"
                        + "ANTHROPIC_SESSION_ID=sesn_one\n"
                        + "ANTHROPIC_WORK_ID=" + workId + "\n");
        assertThat(count("perimeter.connector.anthropic.sessions.admitted")).isEqualTo(admitted + 1);
        assertThat(count("perimeter.connector.anthropic.work.seen")).isGreaterThanOrEqualTo(seen + 1);
        assertThat(count("perimeter.connector.anthropic.work.acked")).isGreaterThanOrEqualTo(acked + 1);
        assertThat(meters.find("perimeter.connector.anthropic.sessions.running").gauge())
                .isNotNull();
        assertThat(api.get("/v1/connectors/anthropic/environments/" + bound.bindingId())
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("sessionsRunning")
                        .asLong())
                .isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from anthropic_sessions s, anthropic_environments e"
                                + " where s.binding_id = e.id and (e.environment_key_ref like :key"
                                + " or s.reason like :key)")
                        .param("key", "%" + bound.key() + "%")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(AnthropicFake.shared().refusals())
                .as("requests the fake refused for their headers")
                .noneMatch(path -> path.contains(bound.environmentId()));
    }

    @Test
    void theSameItemDeliveredTwiceStillHasOneSandbox() {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_twice");
        pollUntil(() -> sandboxes(bound.tenant()).size() == 1);

        // The worker never heartbeats (it is a stand-in), so once the lease lapses the queue hands the item out again.
        AnthropicFake.shared().advance(Duration.ofSeconds(10));
        pollUntil(() -> queue.deliveries(workId) >= 2);

        assertThat(sandboxes(bound.tenant())).hasSize(1);
        assertThat(sessions(bound.tenant())).hasSize(1);
        assertThat(session(bound.tenant(), workId).get("state").asString()).isEqualTo("RUNNING");
    }

    @Test
    void anItemAcknowledgedByAReplicaThatDiedBeforeCreatingTheSandboxIsRecoveredWithExactlyOne() {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_crash");
        // A replica polled, acknowledged and wrote the link, claimed it, then died before the sandbox was created.
        FakeWorkQueue.Work item = queue.poll(bound.environmentId(), 5000).orElseThrow();
        assertThat(queue.ack(item)).isTrue();
        jdbc.sql(
                        """
                        insert into anthropic_sessions (id, binding_id, tenant_id, environment_id, work_id, session_id,
                            state, claimed_by, claimed_at, correlation_id, created_at)
                        values ('asess_crashed', :binding, :tenant, :environment, :work, 'sesn_crash',
                            'PROVISIONING', 'replica_dead', :claimedAt, 'crash', now())""")
                .param("binding", bound.bindingId())
                .param("tenant", bound.tenant().id())
                .param("environment", bound.environmentId())
                .param("work", workId)
                .param("claimedAt", Timestamp.from(Instant.now().minus(Duration.ofHours(1))))
                .update();
        loop.pollAll();
        assertThat(sandboxes(bound.tenant()))
                .as("the item is still leased to the dead replica")
                .isEmpty();

        AnthropicFake.shared().advance(Duration.ofSeconds(10));
        pollUntil(() -> sandboxes(bound.tenant()).size() == 1);
        AnthropicFake.shared().advance(Duration.ofSeconds(10));
        pollUntil(() -> queue.deliveries(workId) >= 3);

        assertThat(sandboxes(bound.tenant())).hasSize(1);
        JsonNode session = session(bound.tenant(), workId);
        assertThat(session.get("id").asString()).isEqualTo("asess_crashed");
        assertThat(session.get("state").asString()).isEqualTo("RUNNING");
    }

    @Test
    void aLiveClaimOfAnotherReplicaIsNotTakenOver() {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_busy");
        jdbc.sql(
                        """
                        insert into anthropic_sessions (id, binding_id, tenant_id, environment_id, work_id, session_id,
                            state, claimed_by, claimed_at, correlation_id, created_at)
                        values ('asess_busy', :binding, :tenant, :environment, :work, 'sesn_busy',
                            'PROVISIONING', 'replica_alive', now(), 'busy', now())""")
                .param("binding", bound.bindingId())
                .param("tenant", bound.tenant().id())
                .param("environment", bound.environmentId())
                .param("work", workId)
                .update();
        pollUntil(() -> queue.acks(workId) == 1);
        assertThat(sandboxes(bound.tenant())).isEmpty();
        assertThat(session(bound.tenant(), workId).get("state").asString()).isEqualTo("PROVISIONING");
    }

    @Test
    void aWorkItemStoppedByAnthropicDestroysItsSandbox() {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_stop");
        pollUntil(() -> sandboxes(bound.tenant()).size() == 1);
        String sandboxId = sandboxes(bound.tenant()).get(0).get("id").asString();

        queue.stopFromAnthropic(workId);
        watchUntil(() -> session(bound.tenant(), workId).get("state").asString().equals("ENDED"));

        assertThat(session(bound.tenant(), workId).get("reason").asString()).isEqualTo("WORK_STOPPED");
        eventually(() -> state(bound, sandboxId).equals("DESTROYED"));
        assertThat(queue.state(workId)).isEqualTo("stopped");
    }

    @Test
    void aWorkerThatExitsEndsTheSessionDestroysTheSandboxAndStopsTheWork() {
        Bound bound = bind(List.of("sh", "-c", "env | grep '^ANTHROPIC_' > /workspace/worker.env; exit 3"));
        String workId = queue.enqueue(bound.environmentId(), "sesn_exit");
        long ran =
                meters.timer("perimeter.connector.anthropic.sessions.duration").count();
        pollUntil(() -> sandboxes(bound.tenant()).size() == 1);
        String sandboxId = sandboxes(bound.tenant()).get(0).get("id").asString();

        eventually(() -> session(bound.tenant(), workId).get("state").asString().equals("ENDED"));

        assertThat(session(bound.tenant(), workId).get("reason").asString()).isEqualTo("WORKER_EXITED: 3");
        eventually(() -> state(bound, sandboxId).equals("DESTROYED"));
        assertThat(queue.state(workId)).isEqualTo("stopped");
        assertThat(meters.timer("perimeter.connector.anthropic.sessions.duration")
                        .count())
                .isGreaterThan(ran);
    }

    @Test
    void aSandboxThatEndsUnderTheWorkerStopsTheWork() {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_expire");
        pollUntil(() -> sandboxes(bound.tenant()).size() == 1);
        String sandboxId = sandboxes(bound.tenant()).get(0).get("id").asString();

        assertThat(api.delete("/v1/sandboxes/" + sandboxId)
                        .key(bound.tenant().key())
                        .send()
                        .status())
                .isEqualTo(200);
        watchUntil(() -> session(bound.tenant(), workId).get("state").asString().equals("ENDED"));

        eventually(() -> queue.state(workId).equals("stopped"));
        assertThat(state(bound, sandboxId)).isIn("DESTROYING", "DESTROYED");
    }

    @Test
    void aSessionWhoseReplicaStoppedRenewingItsHoldIsEndedAndOneThatRenewsIsKept(
            @Autowired WorkerSupervisor supervisor) {
        Bound bound = bind(SLEEPING_WORKER);
        String workId = queue.enqueue(bound.environmentId(), "sesn_orphan");
        pollUntil(() -> sandboxes(bound.tenant()).size() == 1);
        String sandboxId = sandboxes(bound.tenant()).get(0).get("id").asString();

        ageHold(workId);
        supervisor.renew();
        watcher.watch();
        assertThat(session(bound.tenant(), workId).get("state").asString()).isEqualTo("RUNNING");

        // As if the replica running the worker died: nobody renews the hold any more.
        jdbc.sql("update anthropic_sessions set claimed_by = 'replica_dead' where work_id = ?")
                .param(workId)
                .update();
        ageHold(workId);
        watchUntil(() -> session(bound.tenant(), workId).get("state").asString().equals("ENDED"));
        assertThat(session(bound.tenant(), workId).get("reason").asString()).isEqualTo("SUPERVISOR_LOST");
        eventually(() -> state(bound, sandboxId).equals("DESTROYED"));
        assertThat(queue.state(workId)).isEqualTo("stopped");
    }

    private void ageHold(String workId) {
        jdbc.sql("update anthropic_sessions set claimed_at = :at where work_id = :work")
                .param("at", Timestamp.from(Instant.now().minus(Duration.ofHours(1))))
                .param("work", workId)
                .update();
    }

    @Test
    void severalItemsGetOneSandboxEachEvenWhenPolledFromManyThreads() throws Exception {
        Bound bound = bind(SLEEPING_WORKER);
        for (int i = 0; i < 4; i++) {
            queue.enqueue(bound.environmentId(), "sesn_many" + i);
        }
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            threads.add(Thread.ofVirtual().start(() -> loop.pollAll()));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        pollUntil(() -> sandboxes(bound.tenant()).size() == 4);
        AnthropicFake.shared().advance(Duration.ofSeconds(10));
        pollUntil(() -> sessions(bound.tenant()).size() == 4 && redelivered(bound));
        assertThat(sandboxes(bound.tenant())).hasSize(4);
    }

    private boolean redelivered(Bound bound) {
        return queue.list(bound.environmentId()).stream().allMatch(item -> item.deliveries >= 2);
    }

    private String state(Bound bound, String sandboxId) {
        return api.get("/v1/sandboxes/" + sandboxId)
                .key(bound.tenant().key())
                .send()
                .json()
                .get("state")
                .asString();
    }

    private double count(String name) {
        var counter = meters.find(name).counter();
        return counter == null ? 0 : counter.count();
    }
}
