package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BadInputTests extends ApiTestSupport {

    @Test
    void malformedJsonIsAValidationProblem() {
        TestTenant tenant = newTenant();
        Api.Response response = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json("{\"agentId\": ")
                .send();
        assertProblem(response, 400, "validation-failed");
        assertThat(response.text()).doesNotContain("Exception").doesNotContain("tools.jackson");
        assertProblem(api.post("/v1/tenants").key(ADMIN_KEY).json("[1,2").send(), 400, "validation-failed");
        assertThat(api.get("/v1/sandboxes").key(tenant.key()).send().json().get("items"))
                .isEmpty();
    }

    @Test
    void unknownEnumValueNamesTheFieldAndTheAllowedValues() {
        TestTenant tenant = newTenant();
        Api.Response response = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("egress", Map.of("mode", "SOMETIMES")))
                .send();
        assertProblem(response, 400, "validation-failed");
        JsonNode error = response.json().get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("egress.mode");
        assertThat(error.get("message").asString()).contains("DENY_ALL", "ALLOW_ALL", "ALLOWLIST");
        assertProblem(api.get("/v1/sandboxes?state=NAPPING").key(tenant.key()).send(), 400, "validation-failed");
    }

    @Test
    void invalidFieldsAreListed() {
        TestTenant tenant = newTenant();
        Api.Response response = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of(
                        "agentId",
                        "agent with spaces",
                        "resources",
                        Map.of("vcpus", 0, "memoryMib", 64),
                        "env",
                        Map.of("1BAD", "x"),
                        "timeout",
                        "PT48H"))
                .send();
        assertProblem(response, 400, "validation-failed");
        List<String> fields = response.json()
                .get("errors")
                .valueStream()
                .map(e -> e.get("field").asString())
                .toList();
        assertThat(fields).contains("agentId", "resources.vcpus", "resources.memoryMib");
        assertProblem(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json(Map.of("timeout", "PT48H"))
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json(Map.of("timeout", "soon"))
                        .send(),
                400,
                "validation-failed");
        assertProblem(api.get("/v1/sandboxes?limit=0").key(tenant.key()).send(), 400, "validation-failed");
        assertProblem(api.get("/v1/sandboxes?limit=501").key(tenant.key()).send(), 400, "validation-failed");
        assertProblem(api.get("/v1/sandboxes?cursor=%21%21").key(tenant.key()).send(), 400, "validation-failed");
        assertProblem(
                api.post("/v1/tenants")
                        .key(ADMIN_KEY)
                        .json(Map.of("id", "Bad_Id!", "displayName", "x"))
                        .send(),
                400,
                "validation-failed");
    }

    @Test
    void whatTheLocalProviderCannotHonourIsCapabilityUnsupported() {
        TestTenant tenant = newTenant();
        assertProblem(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json(Map.of("egress", Map.of("mode", "ALLOWLIST", "allow", List.of("pypi.org"))))
                        .send(),
                422,
                "capability-unsupported");
        assertProblem(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json(Map.of("resources", Map.of("vcpus", 1, "memoryMib", 512, "gpu", "T4")))
                        .send(),
                422,
                "capability-unsupported");
        assertProblem(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json(Map.of("region", "eu-west-2"))
                        .send(),
                422,
                "capability-unsupported");
        assertProblem(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json(Map.of("provider", "nowhere"))
                        .send(),
                400,
                "validation-failed");
        assertThat(api.get("/v1/sandboxes").key(tenant.key()).send().json().get("items"))
                .isEmpty();
    }

    @Test
    void oversizedBodiesAre413() {
        TestTenant tenant = newTenant();
        String huge = "{\"labels\":{\"a\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}";
        assertProblem(api.post("/v1/sandboxes").key(tenant.key()).json(huge).send(), 413, "payload-too-large");
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        Api.Response file = api.put("/v1/sandboxes/" + id + "/files?path=big.bin")
                .key(tenant.key())
                .bytes(new byte[1024 * 1024 + 1])
                .send();
        assertProblem(file, 413, "payload-too-large");
        assertProblem(
                api.get("/v1/sandboxes/" + id + "/files?path=big.bin")
                        .key(tenant.key())
                        .send(),
                404,
                "not-found");
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }

    @Test
    void pathEscapesAre400() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        exec(tenant, id, Map.of("command", List.of("ln", "-s", "/etc", "/workspace/out")));
        for (String path : List.of("../x", "/etc/passwd", "a/../../x", "out/passwd", "%00x", "/workspace")) {
            Api.Response read = api.get("/v1/sandboxes/" + id + "/files?path=" + path)
                    .key(tenant.key())
                    .send();
            assertProblem(read, 400, "validation-failed");
            Api.Response write = api.put("/v1/sandboxes/" + id + "/files?path=" + path)
                    .key(tenant.key())
                    .bytes("owned".getBytes())
                    .send();
            assertProblem(write, 400, "validation-failed");
        }
        assertProblem(
                api.get("/v1/sandboxes/" + id + "/files").key(tenant.key()).send(), 400, "validation-failed");
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }

    @Test
    void badExecRequestsAre400AndUnknownRoutes404() {
        TestTenant tenant = newTenant();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        assertProblem(
                api.post("/v1/sandboxes/" + id + "/exec")
                        .key(tenant.key())
                        .json(Map.of("command", List.of()))
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.post("/v1/sandboxes/" + id + "/exec")
                        .key(tenant.key())
                        .json(Map.of())
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.post("/v1/sandboxes/" + id + "/exec")
                        .key(tenant.key())
                        .json(Map.of("command", List.of("true"), "timeout", "PT5H"))
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.post("/v1/sandboxes/" + id + "/exec")
                        .key(tenant.key())
                        .json(Map.of("command", List.of("true"), "stdinBase64", "***"))
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.get("/v1/sandboxes/" + id + "/nothing").key(tenant.key()).send(), 404, "not-found");
        assertProblem(
                api.patch("/v1/sandboxes/" + id).key(tenant.key()).json("{}").send(), 405, "method-not-allowed");
        api.delete("/v1/sandboxes/" + id).key(tenant.key()).send();
    }

    @Test
    void urlsTheFirewallRefusesAreProblemsToo() {
        TestTenant tenant = newTenant();
        for (String path : List.of(
                "/v1/tunnels/%2e%2e",
                "/v1/sandboxes/%2e%2e/exec",
                "/v1/sandboxes/a%2fb",
                "/v1/sandboxes/a;jsessionid=1",
                "/v1/sandboxes/a%5cb",
                "/v1/sandboxes/%00")) {
            Api.Response response = api.get(path).key(tenant.key()).send();
            assertThat(response.status()).as(path).isEqualTo(400);
            assertThat(response.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(response.json().get("type").asString()).endsWith("/validation-failed");
            assertThat(response.json().get("correlationId").asString()).isEqualTo(response.header("X-Correlation-Id"));
        }
    }
}
