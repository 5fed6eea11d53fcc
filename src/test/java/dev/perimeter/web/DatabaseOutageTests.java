package dev.perimeter.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.CuttableLink;
import dev.perimeter.support.Replicas;
import dev.perimeter.support.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * When PostgreSQL cannot be reached, every kind of call answers 503 {@code service-unavailable} with {@code
 * Retry-After}, never a 500 or a 401 for a key that could not be checked, and the replica serves again once the
 * database is back. The outage is a cut network link between one replica and the shared test database.
 */
class DatabaseOutageTests {

    private static CuttableLink link;
    private static Replicas replica;
    private static Api api;

    @BeforeAll
    static void start() {
        link = CuttableLink.to(TestDatabase.port());
        replica = Replicas.start(
                1,
                Map.of(
                        "spring.datasource.url",
                        TestDatabase.jdbcUrl().replace(":" + TestDatabase.port() + "/", ":" + link.port() + "/"),
                        "spring.datasource.hikari.connection-timeout",
                        "500",
                        "spring.datasource.hikari.validation-timeout",
                        "250",
                        "perimeter.jobs.enabled",
                        "false"));
        api = replica.api(0);
    }

    @AfterAll
    static void stop() {
        link.restore();
        replica.close();
        link.close();
    }

    @Test
    void callsAnswerServiceUnavailableWhileTheDatabaseIsAwayAndSucceedOnceItIsBack() {
        ApiTestSupport.TestTenant tenant = ApiTestSupport.newTenant(api);
        assertThat(api.get("/v1/sandboxes").key(tenant.key()).send().status()).isEqualTo(200);

        link.cut();
        try {
            List<Api.Response> answers = List.of(
                    api.get("/v1/sandboxes").key(tenant.key()).send(),
                    api.post("/v1/sandboxes").key(tenant.key()).json("{}").send(),
                    api.get("/v1/tenants").key(ApiTestSupport.ADMIN_KEY).send(),
                    api.post("/v1/tenants")
                            .key(ApiTestSupport.ADMIN_KEY)
                            .json("{\"id\":\"outage-" + System.nanoTime() + "\",\"displayName\":\"Outage\"}")
                            .send(),
                    api.get("/v1/sandboxes")
                            .key("pmk_unknown0_" + "a".repeat(32))
                            .send());
            for (Api.Response answer : answers) {
                assertThat(answer.status()).as(answer.text()).isEqualTo(503);
                assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
                assertThat(answer.json().get("type").asString())
                        .isEqualTo("https://perimeter.dev/problems/service-unavailable");
                assertThat(answer.header("Retry-After")).isEqualTo("5");
                assertThat(answer.text()).doesNotContain("jdbc", "PSQL", "Exception", tenant.key());
            }
        } finally {
            link.restore();
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        api.get("/v1/sandboxes").key(tenant.key()).send().status())
                .isEqualTo(200));
        assertThat(api.post("/v1/sandboxes").key(tenant.key()).json("{}").send().status())
                .isEqualTo(201);
    }
}
