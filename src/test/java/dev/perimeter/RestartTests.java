package dev.perimeter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The embedded default end to end: no datasource configured, a generated admin key, and a restart that keeps all. */
class RestartTests {

    @TempDir
    Path dataDir;

    @Test
    void restartOnTheSameDataDirKeepsEverySandboxAndSnapshot() throws Exception {
        String sandboxId;
        String snapshotId;
        String tenantKey;
        String adminKey;
        try (ConfigurableApplicationContext first = start()) {
            Path keyFile = dataDir.resolve("admin.key");
            assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            adminKey = Files.readString(keyFile).strip();
            for (String setting : new String[] {"fsync", "synchronous_commit"}) {
                assertThat(first.getBean(JdbcClient.class)
                                .sql("show " + setting)
                                .query(String.class)
                                .single())
                        .as("acknowledged records must survive a crash of the embedded database (%s)", setting)
                        .isEqualTo("on");
            }
            Api api = new Api(port(first));
            assertThat(api.post("/v1/tenants")
                            .key(adminKey)
                            .json(Map.of("id", "restart", "displayName", "Restart"))
                            .send()
                            .status())
                    .isEqualTo(201);
            tenantKey = api.post("/v1/tenants/restart/api-keys")
                    .key(adminKey)
                    .json(Map.of("name", "o"))
                    .send()
                    .json()
                    .get("key")
                    .asString();
            sandboxId = api.post("/v1/sandboxes")
                    .key(tenantKey)
                    .json(Map.of())
                    .send()
                    .json()
                    .get("id")
                    .asString();
            api.post("/v1/sandboxes/" + sandboxId + "/exec")
                    .key(tenantKey)
                    .json(Map.of("command", List.of("sh", "-c", "echo kept > kept.txt")))
                    .send();
            snapshotId = api.post("/v1/sandboxes/" + sandboxId + "/snapshots")
                    .key(tenantKey)
                    .json(Map.of())
                    .send()
                    .json()
                    .get("id")
                    .asString();
        }
        try (ConfigurableApplicationContext second = start()) {
            Api api = new Api(port(second));
            assertThat(Files.readString(dataDir.resolve("admin.key")).strip()).isEqualTo(adminKey);
            assertThat(api.get("/v1/tenants/restart").key(adminKey).send().status())
                    .isEqualTo(200);
            Api.Response sandbox =
                    api.get("/v1/sandboxes/" + sandboxId).key(tenantKey).send();
            assertThat(sandbox.json().get("state").asString()).isEqualTo("RUNNING");
            assertThat(api.get("/v1/sandboxes/" + sandboxId + "/files?path=kept.txt")
                            .key(tenantKey)
                            .send()
                            .text())
                    .isEqualTo("kept\n");
            Api.Response snapshot =
                    api.get("/v1/snapshots/" + snapshotId).key(tenantKey).send();
            assertThat(snapshot.json().get("state").asString()).isEqualTo("READY");
            assertThat(api.delete("/v1/sandboxes/" + sandboxId)
                            .key(tenantKey)
                            .send()
                            .json()
                            .get("state")
                            .asString())
                    .isEqualTo("DESTROYING");
            // jobs are off here: the destroy finishes in the background, not through the reaper
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                            api.get("/v1/sandboxes/" + sandboxId)
                                    .key(tenantKey)
                                    .send()
                                    .json()
                                    .get("state")
                                    .asString())
                    .isEqualTo("DESTROYED"));
        }
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(PerimeterApplication.class)
                .run(
                        "--server.port=0",
                        "--perimeter.data-dir=" + dataDir,
                        "--perimeter.bootstrap-admin-key=",
                        "--perimeter.jobs.enabled=false");
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}
