package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The tunnel registry through the REST API: register, read, rotate, archive, limits and bad input. */
class TunnelRegistryApiTests extends ApiTestSupport {

    @Autowired
    JdbcClient jdbc;

    private JsonNode register(TestTenant tenant, String name) {
        Api.Response created = api.post("/v1/tunnels")
                .key(tenant.key())
                .json(Map.of("name", name, "region", "eu-1", "backend", "PERIMETER"))
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json();
    }

    @Test
    void registerShowsTheTokenOnceAndStoresOnlyItsHash() {
        TestTenant tenant = newTenant();
        JsonNode created = register(tenant, "billing mcp");
        String id = created.get("id").asString();
        String token = created.get("token").asString();
        assertThat(id).startsWith("tnl_");
        assertThat(token).matches("pmt_[a-z2-7]{8}_[a-z2-7]{32}");
        assertThat(created.get("status").asString()).isEqualTo("DISCONNECTED");
        assertThat(created.get("connections").asInt()).isZero();
        assertThat(created.get("mcpUrl").asString()).endsWith("/v1/tunnels/" + id + "/mcp");
        assertThat(created.get("connectUrl").asString()).startsWith("ws://").endsWith("/v1/tunnels/" + id + "/connect");

        Api.Response read = api.get("/v1/tunnels/" + id).key(tenant.key()).send();
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().has("token")).isFalse();
        assertThat(read.text()).doesNotContain(token);
        String stored = jdbc.sql("select token_hash || token_prefix from tunnels where id = :id")
                .param("id", id)
                .query(String.class)
                .single();
        assertThat(stored).doesNotContain(token.substring(13));
        assertThat(api.get("/v1/tunnels").key(tenant.key()).send().json().get("items"))
                .singleElement()
                .satisfies(item -> assertThat(item.get("id").asString()).isEqualTo(id));
    }

    @Test
    void rotateIssuesANewTokenAndArchiveIsRepeatable() {
        TestTenant tenant = newTenant();
        JsonNode created = register(tenant, "one");
        String id = created.get("id").asString();
        Api.Response rotated = api.post("/v1/tunnels/" + id + "/rotate-token")
                .key(tenant.key())
                .send();
        assertThat(rotated.status()).as(rotated.text()).isEqualTo(200);
        assertThat(rotated.json().get("token").asString())
                .isNotEqualTo(created.get("token").asString());
        assertThat(rotated.json().get("tokenRotatedAt").isNull()).isFalse();

        for (int i = 0; i < 2; i++) {
            Api.Response archived =
                    api.delete("/v1/tunnels/" + id).key(tenant.key()).send();
            assertThat(archived.status()).isEqualTo(200);
            assertThat(archived.json().get("status").asString()).isEqualTo("ARCHIVED");
        }
        assertProblem(
                api.post("/v1/tunnels/" + id + "/rotate-token")
                        .key(tenant.key())
                        .send(),
                410,
                "tunnel-archived");
    }

    @Test
    void malformedAndHostileBodiesAnswer400WithoutARecord() {
        TestTenant tenant = newTenant();
        Map<String, Object> tooLongName = new HashMap<>(Map.of("name", "x".repeat(201), "region", "eu-1"));
        for (Object body : new Object[] {
            Map.of("region", "eu-1"),
            Map.of("name", "  ", "region", "eu-1"),
            tooLongName,
            Map.of("name", "a\u0000b", "region", "eu-1"),
            Map.of("name", "x", "region", "EU 1; drop table tunnels"),
            Map.of("name", "x", "region", "eu-1", "backend", "SOMETHING"),
            Map.of("name", "x", "region", "eu-1", "upstream", "file:///etc/passwd"),
            Map.of("name", "x", "region", "eu-1", "upstream", "http://user:pw@10.0.0.1/mcp"),
            Map.of("name", "x", "region", "eu-1", "upstream", "http://" + "a".repeat(3000)),
            Map.of("name", Map.of("nested", true), "region", "eu-1"),
            "[1,2,3]"
        }) {
            Api.Response response = body instanceof String text
                    ? api.post("/v1/tunnels").key(tenant.key()).json(text).send()
                    : api.post("/v1/tunnels").key(tenant.key()).json(body).send();
            assertProblem(response, 400, "validation-failed");
        }
        assertProblem(
                api.post("/v1/tunnels").key(tenant.key()).json("{\"name\":").send(), 400, "validation-failed");
        assertProblem(
                api.post("/v1/tunnels")
                        .key(tenant.key())
                        .json("{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}")
                        .send(),
                413,
                "payload-too-large");
        assertProblem(api.get("/v1/tunnels?limit=0").key(tenant.key()).send(), 400, "validation-failed");
        assertProblem(api.get("/v1/tunnels?cursor=%00garbage").key(tenant.key()).send(), 400, "validation-failed");
        assertThat(api.get("/v1/tunnels").key(tenant.key()).send().json().get("items"))
                .isEmpty();
    }

    @Test
    void anotherTenantsTunnelAndHostileIdsAnswer404() {
        TestTenant owner = newTenant();
        TestTenant other = newTenant();
        String id = register(owner, "private").get("id").asString();
        assertProblem(api.get("/v1/tunnels/" + id).key(other.key()).send(), 404, "not-found");
        assertProblem(
                api.post("/v1/tunnels/" + id + "/rotate-token").key(other.key()).send(), 404, "not-found");
        assertProblem(api.delete("/v1/tunnels/" + id).key(other.key()).send(), 404, "not-found");
        for (String hostile : new String[] {"tnl_%27%20or%201=1--", "x".repeat(500), "tnl_" + "a".repeat(300)}) {
            Api.Response response =
                    api.get("/v1/tunnels/" + hostile).key(owner.key()).send();
            assertThat(response.status()).as(hostile).isIn(400, 404);
            assertThat(response.header("Content-Type"))
                    .as(hostile + response.text())
                    .startsWith("application/problem+json");
        }
        assertThat(api.get("/v1/tunnels").key(other.key()).send().json().get("items"))
                .isEmpty();
        assertThat(api.get("/v1/tunnels/" + id)
                        .key(owner.key())
                        .send()
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("DISCONNECTED");
    }

    @Test
    void adminKeysAndMissingKeysMayNotUseTunnels() {
        assertProblem(api.get("/v1/tunnels").key(ADMIN_KEY).send(), 403, "forbidden");
        assertProblem(api.get("/v1/tunnels").send(), 401, "unauthorized");
        assertProblem(
                api.get("/v1/tunnels").key("pmt_aaaaaaaa_" + "b".repeat(32)).send(), 401, "unauthorized");
    }

    @Test
    void maxTunnelsRefusesOneTooManyAndArchivingFreesASlot() {
        TestTenant tenant = newTenant();
        Api.Response quota = api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(Map.of("maxTunnels", 2))
                .send();
        assertThat(quota.status()).as(quota.text()).isEqualTo(200);
        assertThat(quota.json().get("quota").get("maxTunnels").asInt()).isEqualTo(2);
        String first = register(tenant, "a").get("id").asString();
        register(tenant, "b");
        Api.Response third = api.post("/v1/tunnels")
                .key(tenant.key())
                .json(Map.of("name", "c", "region", "eu-1"))
                .send();
        assertProblem(third, 429, "quota-exceeded");
        assertThat(third.json().get("limit").asInt()).isEqualTo(2);
        assertThat(third.header("Retry-After")).isNotBlank();
        api.delete("/v1/tunnels/" + first).key(tenant.key()).send();
        register(tenant, "c");
        assertProblem(
                api.put("/v1/tenants/" + tenant.id() + "/quota")
                        .key(ADMIN_KEY)
                        .json(Map.of("maxTunnels", -1))
                        .send(),
                400,
                "validation-failed");
    }
}
