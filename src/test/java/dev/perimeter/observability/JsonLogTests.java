package dev.perimeter.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * One create → exec → destroy with JSON logs and DEBUG on for Perimeter: every line about the sandbox carries the
 * correlation id of the request that caused it (the background destroy included), its tenant and its sandbox, as do
 * the audit rows; and no line or row holds a key, a token or a provider credential.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(
        properties = {
            "perimeter.log-format=ecs",
            "logging.level.dev.perimeter=DEBUG",
            "perimeter.providers.daytona.api-key=" + JsonLogTests.DAYTONA_KEY,
            "perimeter.providers.daytona.api-url=http://127.0.0.1:9/api",
            "perimeter.providers.cloudflare.bridge-url=http://127.0.0.1:9",
            "perimeter.providers.cloudflare.bridge-token=" + JsonLogTests.BRIDGE_TOKEN,
            "perimeter.providers.modal.token-id=ak-planted",
            "perimeter.providers.modal.token-secret=" + JsonLogTests.MODAL_SECRET,
            "perimeter.providers.modal.server-url=http://127.0.0.1:9"
        })
class JsonLogTests extends ApiTestSupport {

    static final String DAYTONA_KEY = "dtn_planted_secret_5f0c1e";
    static final String BRIDGE_TOKEN = "cf_planted_secret_9a7b3d";
    static final String MODAL_SECRET = "as_planted_secret_c4d2e8";
    static final String ENV_SECRET = "env_planted_secret_71aa0f";
    static final String WRONG_KEY = "wrong_planted_key_0b9e44aa";

    @Autowired
    ApplicationContext context;

    @Test
    void everyLineOfALifecycleCarriesItsCorrelationTenantAndSandboxAndNoSecret(CapturedOutput output) {
        TestTenant tenant = newTenant();
        String create = "create-" + UUID.randomUUID();
        String exec = "exec-" + UUID.randomUUID();
        String destroy = "destroy-" + UUID.randomUUID();

        Api.Response created = api.post("/v1/sandboxes")
                .key(tenant.key())
                .header("X-Correlation-Id", create)
                .json(Map.of("env", Map.of("TOKEN", ENV_SECRET)))
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String sandboxId = created.json().get("id").asString();
        Api.Response ran = api.post("/v1/sandboxes/" + sandboxId + "/exec")
                .key(tenant.key())
                .header("X-Correlation-Id", exec)
                .json(Map.of("command", List.of("sh", "-c", "echo $TOKEN"), "env", Map.of("OTHER", ENV_SECRET)))
                .send();
        assertThat(ran.status()).as(ran.text()).isEqualTo(200);
        assertThat(api.delete("/v1/sandboxes/" + sandboxId)
                        .key(tenant.key())
                        .header("X-Correlation-Id", destroy)
                        .send()
                        .status())
                .isEqualTo(200);
        assertThat(api.get("/v1/sandboxes").key(WRONG_KEY).send().status()).isEqualTo(401);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> lines(output).stream()
                .anyMatch(line -> destroy.equals(text(line, "correlationId"))
                        && text(line, "message").contains("DESTROYED")));

        List<JsonNode> lines = lines(output);
        List<JsonNode> aboutSandbox = lines.stream()
                .filter(line -> text(line, "message").contains(sandboxId) || sandboxId.equals(text(line, "sandboxId")))
                .toList();
        assertThat(aboutSandbox).hasSizeGreaterThanOrEqualTo(3);
        for (JsonNode line : aboutSandbox) {
            assertThat(text(line, "correlationId")).as(line.toString()).isIn(create, exec, destroy);
            assertThat(text(line, "tenantId")).as(line.toString()).isEqualTo(tenant.id());
            assertThat(text(line, "sandboxId")).as(line.toString()).isEqualTo(sandboxId);
        }
        for (String request : List.of(create, exec, destroy)) {
            List<JsonNode> ofRequest = lines.stream()
                    .filter(line -> request.equals(text(line, "correlationId")))
                    .toList();
            assertThat(ofRequest).as("lines of %s", request).isNotEmpty();
            for (JsonNode line : ofRequest) {
                assertThat(text(line, "tenantId")).as(line.toString()).isEqualTo(tenant.id());
                assertThat(text(line, "sandboxId"))
                        .as("the create learns the sandbox id on the way: %s", line)
                        .isIn(request.equals(create) ? List.of(sandboxId, "") : List.of(sandboxId));
            }
        }
        assertThat(aboutSandbox)
                .as("the background destroy logs under the DELETE's correlation id")
                .anyMatch(line -> destroy.equals(text(line, "correlationId"))
                        && thread(line).startsWith("sandbox-destroy-"));

        JsonNode audit = api.get("/v1/audit?tenantId=" + tenant.id() + "&limit=500")
                .key(ADMIN_KEY)
                .send()
                .json()
                .get("items");
        List<JsonNode> sandboxRows = new java.util.ArrayList<>();
        audit.forEach(row -> {
            if (sandboxId.equals(text(row, "targetId"))) {
                sandboxRows.add(row);
            }
        });
        assertThat(sandboxRows)
                .as("the audit rows of the lifecycle carry its requests' correlation ids")
                .extracting(row -> text(row, "correlationId"))
                .contains(create, exec, destroy)
                .allMatch(id -> Set.of(create, exec, destroy).contains(id));

        String all = output.getAll() + audit;
        for (String secret :
                Set.of(ADMIN_KEY, tenant.key(), DAYTONA_KEY, BRIDGE_TOKEN, MODAL_SECRET, ENV_SECRET, WRONG_KEY)) {
            assertThat(all).as("a planted secret in the logs").doesNotContain(secret);
        }
    }

    @Test
    void noSettingsObjectPrintsACredential() {
        context.getBeansWithAnnotation(ConfigurationProperties.class).forEach((name, bean) -> {
            String printed = bean.toString();
            for (String secret : Set.of(ADMIN_KEY, DAYTONA_KEY, BRIDGE_TOKEN, MODAL_SECRET)) {
                assertThat(printed).as(name).doesNotContain(secret);
            }
        });
    }

    private static List<JsonNode> lines(CapturedOutput output) {
        return output.getOut()
                .lines()
                .filter(line -> line.startsWith("{"))
                .map(line -> Api.json().readTree(line))
                .toList();
    }

    private static String text(JsonNode line, String field) {
        JsonNode value = line.get(field);
        return value == null || value.isNull() ? "" : value.asString();
    }

    private static String thread(JsonNode line) {
        JsonNode name = line.at("/process/thread/name");
        return name.isMissingNode() ? "" : name.asString();
    }
}
