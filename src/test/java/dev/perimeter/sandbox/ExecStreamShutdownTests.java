package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.Replicas;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Graceful shutdown: a replica told to stop while it streams a command's output keeps the stream open until the command
 * exits and the client has its {@code exit} event.
 */
class ExecStreamShutdownTests {

    @TempDir
    Path dataDir;

    @Test
    void closingTheContextDuringAnExecStreamLetsTheStreamComplete() throws Exception {
        try (Replicas replicas = Replicas.start(
                        1, Map.of("perimeter.jobs.enabled", "false", "perimeter.data-dir", dataDir.toString()));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            ConfigurableApplicationContext context = replicas.contexts().getFirst();
            CountDownLatch closing = new CountDownLatch(1);
            context.addApplicationListener(event -> {
                if (event instanceof ContextClosedEvent) {
                    closing.countDown();
                }
            });
            Api api = replicas.api(0);
            String key = tenantKey(api);
            String sandboxId = api.post("/v1/sandboxes")
                    .key(key)
                    .json(Map.of())
                    .send()
                    .json()
                    .get("id")
                    .asString();
            Path go = dataDir.resolve("local/sandboxes/" + sandboxId + "/workspace/go");

            HttpResponse<Stream<String>> stream = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://localhost:"
                                            + ((WebServerApplicationContext) context)
                                                    .getWebServer()
                                                    .getPort()
                                            + "/v1/sandboxes/" + sandboxId + "/exec"))
                                    .header("Authorization", "Bearer " + key)
                                    .header("Accept", "text/event-stream")
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(Api.json()
                                            .writeValueAsString(Map.of(
                                                    "command",
                                                    List.of(
                                                            "sh",
                                                            "-c",
                                                            "echo started; while [ ! -f go ]; do sleep 0.05; done;"
                                                                    + " echo finished")))))
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);
            Iterator<String> lines = stream.body().iterator();
            assertThat(readUntil(lines, "started")).isTrue();

            CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close, threads);
            assertThat(closing.await(30, TimeUnit.SECONDS)).isTrue();
            Files.writeString(go, "");

            assertThat(readUntil(lines, "finished")).isTrue();
            assertThat(readUntil(lines, "event:exit"))
                    .as("the exit event arrives")
                    .isTrue();
            assertThat(lines.next()).startsWith("data:").contains("\"exitCode\":0");
            closed.get(60, TimeUnit.SECONDS);
            assertThat(context.isActive()).isFalse();
        }
    }

    private static boolean readUntil(Iterator<String> lines, String text) {
        while (lines.hasNext()) {
            if (lines.next().replace(" ", "").contains(text.replace(" ", ""))) {
                return true;
            }
        }
        return false;
    }

    private static String tenantKey(Api api) {
        String tenant = "shutdown-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/v1/tenants")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("id", tenant, "displayName", "Shutdown"))
                .send();
        return api.post("/v1/tenants/" + tenant + "/api-keys")
                .key(ApiTestSupport.ADMIN_KEY)
                .json(Map.of("name", "o"))
                .send()
                .json()
                .get("key")
                .asString();
    }
}
