package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The whole application with the connector pointed at {@link AnthropicFake}: helpers to bind an environment whose key
 * sits in a file, run the loops by hand and read the sessions. Each test's sandboxes are destroyed afterwards.
 */
abstract class ConnectorTestSupport extends ApiTestSupport {

    /** Stands in for {@code ant beta:worker run}: writes its environment where the test can read it, then waits. */
    static final List<String> SLEEPING_WORKER =
            List.of("sh", "-c", "env | grep '^ANTHROPIC_' | sort > /workspace/worker.env; exec sleep 600");

    @Autowired
    WorkLoop loop;

    @Autowired
    SessionWatcher watcher;

    final FakeWorkQueue queue = AnthropicFake.shared().queue();

    private final List<TestTenant> tenants = new ArrayList<>();
    private final List<String> bindings = new ArrayList<>();

    /** A bound environment, its tenant and its key. */
    record Bound(TestTenant tenant, String bindingId, String environmentId, String key) {}

    Bound bind(List<String> worker) {
        return bind(newTenant(), worker);
    }

    Bound bind(TestTenant tenant, List<String> worker) {
        String key = "ant-env-key-" + UUID.randomUUID();
        String environmentId = queue.newEnvironment(key);
        Path file;
        try {
            file = Files.createTempFile("environment-key", ".txt");
            Files.writeString(file, key + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> body = new HashMap<>();
        body.put("tenantId", tenant.id());
        body.put("environmentId", environmentId);
        body.put("environmentKeyRef", "file:" + file);
        body.put("egress", "DENY_ALL");
        body.put("workerCommand", worker);
        Api.Response created = api.post("/v1/connectors/anthropic/environments")
                .key(ADMIN_KEY)
                .json(body)
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        tenants.add(tenant);
        bindings.add(created.json().get("id").asString());
        return new Bound(tenant, created.json().get("id").asString(), environmentId, key);
    }

    /** The connector's sessions of the tenant, newest first. */
    JsonNode sessions(TestTenant tenant) {
        return api.get("/v1/connectors/anthropic/sessions?tenantId=" + tenant.id())
                .key(ADMIN_KEY)
                .send()
                .json()
                .get("items");
    }

    /** The one session of the work item. */
    JsonNode session(TestTenant tenant, String workId) {
        for (JsonNode session : sessions(tenant)) {
            if (session.get("workId").asString().equals(workId)) {
                return session;
            }
        }
        throw new AssertionError("no session for " + workId);
    }

    /** The tenant's sandboxes, whatever their state. */
    JsonNode sandboxes(TestTenant tenant) {
        return api.get("/v1/sandboxes").key(tenant.key()).send().json().get("items");
    }

    /** Polls until the condition holds; each poll may be skipped while the previous run's lock lasts. */
    void pollUntil(BooleanSupplier condition) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    loop.pollAll();
                    return condition.getAsBoolean();
                });
    }

    /** Runs the session watcher until the condition holds. */
    void watchUntil(BooleanSupplier condition) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    watcher.watch();
                    return condition.getAsBoolean();
                });
    }

    /** Waits until the condition holds, with nothing run in between. */
    static void eventually(BooleanSupplier condition) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(condition::getAsBoolean);
    }

    /** The file the worker wrote in the sandbox, or {@code null} while it has not. */
    String workerFile(TestTenant tenant, String sandboxId, String path) {
        Api.Response file = api.get("/v1/sandboxes/" + sandboxId + "/files?path=" + path)
                .key(tenant.key())
                .send();
        return file.status() == 200 ? file.text() : null;
    }

    @AfterEach
    void cleanUp() {
        for (String binding : bindings) {
            api.delete("/v1/connectors/anthropic/environments/" + binding)
                    .key(ADMIN_KEY)
                    .send();
        }
        for (TestTenant tenant : tenants) {
            for (JsonNode sandbox : sandboxes(tenant)) {
                api.delete("/v1/sandboxes/" + sandbox.get("id").asString())
                        .key(tenant.key())
                        .send();
            }
        }
    }
}
