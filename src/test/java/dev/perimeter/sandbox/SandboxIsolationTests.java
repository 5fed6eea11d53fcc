package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.ApiTestSupport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What an orchestrator can rely on about a default sandbox, checked through the API. */
class SandboxIsolationTests extends ApiTestSupport {

    @Test
    void defaultSandboxHasNoNetwork() throws IOException {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        try (ServerSocket listener = new ServerSocket(0)) {
            JsonNode interfaces = exec(tenant, id, Map.of("command", List.of("cat", "/proc/net/dev")));
            assertThat(interfaces.get("stdout").asString()).contains("lo:").doesNotContain("eth0");
            JsonNode connect = exec(
                    tenant,
                    id,
                    Map.of(
                            "command",
                            List.of("bash", "-c", "echo hi > /dev/tcp/127.0.0.1/" + listener.getLocalPort())));
            assertThat(connect.get("exitCode").asInt()).isNotZero();
        } finally {
            api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
        }
    }

    @Test
    void sandboxCannotWriteOutsideItsWorkspace() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        String marker = "perimeter-escape-" + id;
        for (String target : List.of("/usr/" + marker, "/etc/" + marker, "/" + marker, "/workspace/../" + marker)) {
            JsonNode write = exec(tenant, id, Map.of("command", List.of("sh", "-c", "echo x > " + target)));
            assertThat(write.get("exitCode").asInt()).as(target).isNotZero();
        }
        exec(tenant, id, Map.of("command", List.of("sh", "-c", "echo x > /tmp/" + marker)));
        assertThat(Files.exists(Path.of("/usr", marker))).isFalse();
        assertThat(Files.exists(Path.of("/etc", marker))).isFalse();
        assertThat(Files.exists(Path.of("/tmp", marker))).isFalse();
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }

    @Test
    void execTimeoutKillsAProcessTreeThatIgnoresSigterm() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        JsonNode result = exec(
                tenant,
                id,
                Map.of(
                        "command",
                        List.of("sh", "-c", "trap '' TERM; (trap '' TERM; sleep 7654) & sleep 7654; wait"),
                        "timeout",
                        "PT1S"));
        assertThat(result.get("timedOut").asBoolean()).isTrue();
        assertThat(result.get("durationMs").asLong()).isLessThan(10_000);
        assertThat(ProcessHandle.allProcesses()
                        .map(process -> process.info().commandLine().orElse(""))
                        .filter(command -> command.contains("sleep 7654")))
                .isEmpty();
        JsonNode after = exec(tenant, id, Map.of("command", List.of("true")));
        assertThat(after.get("exitCode").asInt()).isZero();
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }

    @Test
    void outputPastTheCapIsTruncated() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        JsonNode result =
                exec(tenant, id, Map.of("command", List.of("sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a")));
        assertThat(result.get("truncated").asBoolean()).isTrue();
        assertThat(result.get("stdout").asString()).hasSize(1024 * 1024);
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }
}
