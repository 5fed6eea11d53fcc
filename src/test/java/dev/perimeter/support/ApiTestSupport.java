package dev.perimeter.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.connector.anthropic.AnthropicFake;
import dev.perimeter.connector.anthropic.FakeTunnels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The whole application on a random port, against the real test PostgreSQL and the real bubblewrap provider. Every
 * class that extends this shares one application context; each test makes its own tenants. Background jobs are not
 * scheduled here (tests run them by hand); their one-second intervals keep each run's lock short.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "perimeter.bootstrap-admin-key=" + ApiTestSupport.ADMIN_KEY,
            "perimeter.sandbox.max-file-size=1MB",
            "perimeter.jobs.enabled=false",
            "perimeter.sandbox.reaper-interval=PT1S",
            "perimeter.sandbox.meter-interval=PT1S",
            "perimeter.sandbox.recount-interval=PT1S",
            "perimeter.sandbox.reconcile-interval=PT1S",
            "perimeter.audit.retention-interval=PT1S",
            "perimeter.connector.anthropic.webhook-signing-key=" + ApiTestSupport.ANTHROPIC_WEBHOOK_KEY,
            "perimeter.connector.anthropic.poll-interval=PT0.2S",
            "perimeter.connector.anthropic.watch-interval=PT0.2S",
            "perimeter.tunnels.anthropic.api-key=" + FakeTunnels.API_KEY,
            "perimeter.tunnels.anthropic.timeout=PT2S",
            "perimeter.tunnels.event-stream-keep-alive=PT0.5S"
        })
@Import(ApiTestSupport.Recording.class)
public abstract class ApiTestSupport {

    public static final String ADMIN_KEY = "test-admin-key-0123456789abcdefghijklmnopqrstuvwxyz";

    /** The Standard Webhooks secret the Anthropic connector verifies webhooks with. */
    public static final String ANTHROPIC_WEBHOOK_KEY = "whsec_dGVzdC13ZWJob29rLXNlY3JldC1mb3ItcGVyaW1ldGVyLTAx";

    private static final Path DATA_DIR = tempDir();

    @LocalServerPort
    protected int port;

    protected Api api;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("perimeter.data-dir", DATA_DIR::toString);
        registry.add("perimeter.connector.anthropic.base-url", AnthropicFake::baseUrl);
    }

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    /** A tenant and a live key for it. */
    public record TestTenant(String id, String key) {}

    /** Creates a tenant with a unique id and issues it a key. */
    protected TestTenant newTenant() {
        return newTenant(api);
    }

    /** Creates a tenant with a unique id through {@code api} (any replica's) and issues it a key. */
    public static TestTenant newTenant(Api api) {
        String id = "t-" + UUID.randomUUID().toString().substring(0, 12);
        Api.Response tenant = api.post("/v1/tenants")
                .key(ADMIN_KEY)
                .json(Map.of("id", id, "displayName", "Tenant " + id))
                .send();
        assertThat(tenant.status()).as(tenant.text()).isEqualTo(201);
        Api.Response key = api.post("/v1/tenants/" + id + "/api-keys")
                .key(ADMIN_KEY)
                .json(Map.of("name", "orchestrator"))
                .send();
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return new TestTenant(id, key.json().get("key").asString());
    }

    /** Creates a sandbox with the given body and answers its JSON. */
    protected JsonNode createSandbox(TestTenant tenant, Object body) {
        Api.Response created =
                api.post("/v1/sandboxes").key(tenant.key()).json(body).send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json();
    }

    /** Runs a command and answers the JSON result. */
    protected JsonNode exec(TestTenant tenant, String sandboxId, Object body) {
        Api.Response response = api.post("/v1/sandboxes/" + sandboxId + "/exec")
                .key(tenant.key())
                .json(body)
                .send();
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    /** The id of the tenant's first API key, as the admin API lists it. */
    protected String firstKeyId(TestTenant tenant) {
        return api.get("/v1/tenants/" + tenant.id() + "/api-keys")
                .key(ADMIN_KEY)
                .send()
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
    }

    /** Sets the tenant's {@code maxParallelSandboxes}. */
    protected void limitSandboxes(TestTenant tenant, int max) {
        Api.Response response = api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(Map.of("maxParallelSandboxes", max))
                .send();
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    /** A new tenant that may have one sandbox at a time, to see a failed create give its slot back. */
    protected TestTenant newTenantWithOneSlot() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 1);
        return tenant;
    }

    /** The tenant's one sandbox, whatever its state; fails if it has none or several. */
    protected JsonNode onlySandbox(TestTenant tenant) {
        return single(api.get("/v1/sandboxes").key(tenant.key()).send().json().get("items"));
    }

    /** The tenant's one sandbox in that state; fails if it has none or several in it. */
    protected JsonNode onlySandbox(TestTenant tenant, String state) {
        return single(api.get("/v1/sandboxes?state=" + state)
                .key(tenant.key())
                .send()
                .json()
                .get("items"));
    }

    private static JsonNode single(JsonNode items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }

    /** Destroys a sandbox and waits until its background clean-up has made it {@code DESTROYED}. */
    protected void destroyAndWait(TestTenant tenant, String sandboxId) {
        assertThat(api.delete("/v1/sandboxes/" + sandboxId)
                        .key(tenant.key())
                        .send()
                        .status())
                .isEqualTo(200);
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .until(() -> api.get("/v1/sandboxes/" + sandboxId)
                        .key(tenant.key())
                        .send()
                        .json()
                        .get("state")
                        .asString()
                        .equals("DESTROYED"));
    }

    /** The tenant's {@code activeSandboxes}, as an admin reads it. */
    protected long activeSandboxes(TestTenant tenant) {
        return api.get("/v1/tenants/" + tenant.id())
                .key(ADMIN_KEY)
                .send()
                .json()
                .get("activeSandboxes")
                .asLong();
    }

    /** Asserts that a response is an RFC 9457 problem of the given status and type slug. */
    protected static void assertProblem(Api.Response response, int status, String slug) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("type").asString()).isEqualTo("https://perimeter.dev/problems/" + slug);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("correlationId").asString()).isEqualTo(response.header("X-Correlation-Id"));
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("perimeter-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Recording {

        @Bean
        static RecordingProviders recordingProviders() {
            return new RecordingProviders();
        }
    }
}
