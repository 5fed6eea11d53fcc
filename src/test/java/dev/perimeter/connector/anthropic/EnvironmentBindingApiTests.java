package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The admin API that binds Anthropic environments to tenants: validation, secrecy, roles and tenant scoping. */
class EnvironmentBindingApiTests extends ApiTestSupport {

    private static final String BASE = "/v1/connectors/anthropic/environments";
    private static final String KEY = "sk-ant-env-0123456789abcdefghijklmnop";

    @Autowired
    JdbcClient jdbc;

    private final List<String> created = new java.util.ArrayList<>();

    @AfterEach
    void unbind() {
        created.forEach(id -> api.delete(BASE + "/" + id).key(ADMIN_KEY).send());
    }

    @Test
    void bindingAnEnvironmentAnswersItWithTheDefaultWorkerAndNoKey() {
        TestTenant tenant = newTenant();
        String environmentId = AnthropicFake.shared().queue().newEnvironment(KEY);
        Api.Response response = bind(Map.of(
                "tenantId",
                tenant.id(),
                "environmentId",
                environmentId,
                "environmentKeyRef",
                "env:ANTHROPIC_TEST_KEY"));
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        JsonNode binding = response.json();
        assertThat(binding.get("id").asString()).startsWith("aenv_");
        assertThat(binding.get("workerCommand").toString()).isEqualTo("[\"ant\",\"beta:worker\",\"run\"]");
        assertThat(binding.get("status").asString()).isEqualTo("ACTIVE");
        assertThat(binding.get("sessionsRunning").asLong()).isZero();
        assertThat(binding.get("egress").asString()).isEqualTo("ALLOW_ALL");
        assertThat(response.header("Location")).endsWith(binding.get("id").asString());

        Api.Response read = api.get(BASE + "/" + binding.get("id").asString())
                .key(ADMIN_KEY)
                .send();
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("environmentKeyRef").asString()).isEqualTo("env:ANTHROPIC_TEST_KEY");
        assertThat(api.get(BASE + "?tenantId=" + tenant.id())
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("items"))
                .hasSize(1);
    }

    @Test
    void theKeyItselfIsRefusedWhereverItIsPutAndNeverEchoed() {
        TestTenant tenant = newTenant();
        String environmentId = AnthropicFake.shared().queue().newEnvironment(KEY);
        List<Map<String, Object>> bodies = List.of(
                Map.of("tenantId", tenant.id(), "environmentId", environmentId, "environmentKeyRef", KEY),
                Map.of(
                        "tenantId",
                        tenant.id(),
                        "environmentId",
                        environmentId,
                        "environmentKeyRef",
                        "env:X",
                        "environmentKey",
                        KEY),
                Map.of(
                        "tenantId",
                        tenant.id(),
                        "environmentId",
                        environmentId,
                        "environmentKeyRef",
                        "env:X",
                        "workerCommand",
                        List.of("ant", "beta:worker", "run", "--environment-key", KEY)),
                Map.of(
                        "tenantId",
                        tenant.id(),
                        "environmentId",
                        environmentId,
                        "environmentKeyRef",
                        "abcdef0123456789"),
                Map.of("tenantId", tenant.id(), "environmentId", environmentId, "environmentKeyRef", "file:relative"),
                Map.of("tenantId", tenant.id(), "environmentId", environmentId, "environmentKeyRef", "file:/"),
                Map.of("tenantId", tenant.id(), "environmentId", environmentId, "environmentKeyRef", "env:1BAD"));
        for (Map<String, Object> body : bodies) {
            Api.Response response = bind(body);
            assertProblem(response, 400, "validation-failed");
            assertThat(response.text()).doesNotContain(KEY).doesNotContain("abcdef0123456789");
        }
        assertThat(jdbc.sql("select count(*) from anthropic_environments where environment_id = ?")
                        .param(environmentId)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("select count(*) from anthropic_environments where environment_key_ref like '%sk-ant%'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void malformedAndHostileBodiesAre400sNot500s() {
        TestTenant tenant = newTenant();
        String environmentId = AnthropicFake.shared().queue().newEnvironment(KEY);
        Map<String, Object> valid =
                Map.of("tenantId", tenant.id(), "environmentId", environmentId, "environmentKeyRef", "env:K");
        List<Object> bodies = List.of(
                "[]",
                "\"text\"",
                with(valid, "environmentId", "not-an-env"),
                with(valid, "environmentId", "env_" + "a".repeat(200)),
                with(valid, "tenantId", "../etc"),
                with(valid, "workerCommand", List.of()),
                with(valid, "workerCommand", List.of("")),
                with(valid, "workerCommand", "ant beta:worker run"),
                with(valid, "resources", Map.of("vcpus", 0, "memoryMib", 64)),
                with(valid, "resources", Map.of("vcpus", "many", "memoryMib", 512)),
                with(valid, "egress", "EVERYWHERE"),
                with(valid, "timeout", "forever"),
                with(valid, "image", "bad image"),
                with(valid, "environmentKeyRef", "file:/" + "a".repeat(5000)),
                with(valid, "environmentKeyRef", "env:" + "\u0000"),
                with(valid, "Robert'); DROP TABLE tenants;--", 1));
        for (Object body : bodies) {
            Api.Call call = api.post(BASE).key(ADMIN_KEY);
            Api.Response response = (body instanceof String text ? call.json(text) : call.json(body)).send();
            assertProblem(response, 400, "validation-failed");
        }
        assertProblem(api.post(BASE).key(ADMIN_KEY).json("{not json").send(), 400, "validation-failed");
        Api.Response oversized = api.post(BASE)
                .key(ADMIN_KEY)
                .json(with(valid, "image", "x".repeat(2_000_000)))
                .send();
        assertThat(oversized.status()).isIn(400, 413);
    }

    @Test
    void anUnknownTenantIs404AndASecondBindingOfOneEnvironmentIs409() {
        String environmentId = AnthropicFake.shared().queue().newEnvironment(KEY);
        assertProblem(
                bind(Map.of(
                        "tenantId", "no-such-tenant", "environmentId", environmentId, "environmentKeyRef", "env:K")),
                404,
                "not-found");
        TestTenant tenant = newTenant();
        Map<String, Object> body =
                Map.of("tenantId", tenant.id(), "environmentId", environmentId, "environmentKeyRef", "env:K");
        assertThat(bind(body).status()).isEqualTo(201);
        assertProblem(bind(body), 409, "conflict");
        TestTenant other = newTenant();
        assertProblem(
                bind(Map.of("tenantId", other.id(), "environmentId", environmentId, "environmentKeyRef", "env:K")),
                409,
                "conflict");
    }

    @Test
    void tenantKeysMayNotManageBindingsAndUnknownIdsAre404() {
        TestTenant tenant = newTenant();
        String environmentId = AnthropicFake.shared().queue().newEnvironment(KEY);
        Map<String, Object> body =
                Map.of("tenantId", tenant.id(), "environmentId", environmentId, "environmentKeyRef", "env:K");
        assertProblem(api.post(BASE).key(tenant.key()).json(body).send(), 403, "forbidden");
        assertProblem(api.get(BASE).key(tenant.key()).send(), 403, "forbidden");
        assertProblem(
                api.get("/v1/connectors/anthropic/sessions").key(tenant.key()).send(), 403, "forbidden");
        assertProblem(api.get(BASE).send(), 401, "unauthorized");
        String id = bind(body).json().get("id").asString();
        assertProblem(api.get(BASE + "/" + id).key(tenant.key()).send(), 403, "forbidden");
        assertProblem(api.delete(BASE + "/" + id).key(tenant.key()).send(), 403, "forbidden");
        assertProblem(api.get(BASE + "/aenv_doesnotexist").key(ADMIN_KEY).send(), 404, "not-found");
        assertProblem(api.get(BASE + "/%27%20or%201=1%20--").key(ADMIN_KEY).send(), 404, "not-found");
        assertProblem(api.delete(BASE + "/aenv_doesnotexist").key(ADMIN_KEY).send(), 404, "not-found");
    }

    @Test
    void listsAreScopedByTenantAndPaged() {
        TestTenant one = newTenant();
        TestTenant two = newTenant();
        for (int i = 0; i < 3; i++) {
            bind(Map.of(
                    "tenantId", one.id(),
                    "environmentId", AnthropicFake.shared().queue().newEnvironment(KEY),
                    "environmentKeyRef", "env:K"));
        }
        bind(Map.of(
                "tenantId", two.id(),
                "environmentId", AnthropicFake.shared().queue().newEnvironment(KEY),
                "environmentKeyRef", "env:K"));
        JsonNode first = api.get(BASE + "?limit=2&tenantId=" + one.id())
                .key(ADMIN_KEY)
                .send()
                .json();
        assertThat(first.get("items")).hasSize(2);
        JsonNode second = api.get(BASE + "?limit=2&tenantId=" + one.id() + "&cursor="
                        + first.get("nextCursor").asString())
                .key(ADMIN_KEY)
                .send()
                .json();
        assertThat(second.get("items")).hasSize(1);
        assertThat(second.get("nextCursor").isNull()).isTrue();
        assertThat(api.get(BASE + "?tenantId=" + two.id())
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("items"))
                .hasSize(1);
        assertProblem(api.get(BASE + "?limit=0").key(ADMIN_KEY).send(), 400, "validation-failed");
        assertProblem(api.get(BASE + "?cursor=garbage!").key(ADMIN_KEY).send(), 400, "validation-failed");
        assertProblem(
                api.get("/v1/connectors/anthropic/sessions?state=NOPE")
                        .key(ADMIN_KEY)
                        .send(),
                400,
                "validation-failed");
        assertThat(api.get("/v1/connectors/anthropic/sessions?tenantId=" + two.id())
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void deletingStopsPollingAndCanBeRepeatedThenTheEnvironmentCanBeBoundAgain() {
        TestTenant tenant = newTenant();
        String environmentId = AnthropicFake.shared().queue().newEnvironment(KEY);
        Map<String, Object> body =
                Map.of("tenantId", tenant.id(), "environmentId", environmentId, "environmentKeyRef", "env:K");
        String id = bind(body).json().get("id").asString();
        Api.Response deleted = api.delete(BASE + "/" + id).key(ADMIN_KEY).send();
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("status").asString()).isEqualTo("DELETED");
        assertThat(api.delete(BASE + "/" + id)
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("DELETED");
        assertThat(bind(body).status()).isEqualTo(201);
    }

    @Test
    void aKeyReferenceThatPointsAtNothingIsReportedOnTheBindingWithoutTheKey(@Autowired WorkLoop loop)
            throws IOException {
        TestTenant tenant = newTenant();
        String environmentId = AnthropicFake.shared().queue().newEnvironment(KEY);
        Path missing = Files.createTempDirectory("keys").resolve("absent");
        String id = bind(Map.of(
                        "tenantId",
                        tenant.id(),
                        "environmentId",
                        environmentId,
                        "environmentKeyRef",
                        "file:" + missing))
                .json()
                .get("id")
                .asString();
        loop.pollAll();
        JsonNode binding = api.get(BASE + "/" + id).key(ADMIN_KEY).send().json();
        assertThat(binding.get("lastError").asString()).contains("file:" + missing);
        assertThat(binding.get("lastPolledAt").isNull()).isFalse();
    }

    @Test
    void theOpenApiDocumentDescribesTheBindingBody() {
        JsonNode docs = api.get("/v3/api-docs").send().json();
        String schema = docs.at("/paths/~1v1~1connectors~1anthropic~1environments/post/requestBody/content")
                .toString();
        assertThat(schema).contains("CreateEnvironmentRequest");
        assertThat(docs.at("/components/schemas/CreateEnvironmentRequest/properties/environmentKeyRef")
                        .isMissingNode())
                .isFalse();
    }

    private Api.Response bind(Map<String, Object> body) {
        Api.Response response = api.post(BASE).key(ADMIN_KEY).json(body).send();
        if (response.status() == 201) {
            created.add(response.json().get("id").asString());
        }
        return response;
    }

    private static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        Map<String, Object> copy = new HashMap<>(body);
        copy.put(field, value);
        return copy;
    }
}
