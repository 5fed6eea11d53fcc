package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantIsolationTests extends ApiTestSupport {

    @Test
    void anotherTenantsKeyGets404OnEveryVerb() {
        TestTenant owner = newTenant();
        TestTenant other = newTenant();
        String id = createSandbox(owner, Map.of()).get("id").asString();
        String snapshotId = api.post("/v1/sandboxes/" + id + "/snapshots")
                .key(owner.key())
                .json(Map.of())
                .send()
                .json()
                .get("id")
                .asString();
        String key = other.key();
        List<Api.Response> responses = List.of(
                api.get("/v1/sandboxes/" + id).key(key).send(),
                api.post("/v1/sandboxes/" + id + "/exec")
                        .key(key)
                        .json(Map.of("command", List.of("true")))
                        .send(),
                api.post("/v1/sandboxes/" + id + "/exec")
                        .key(key)
                        .header("Accept", "text/event-stream")
                        .json(Map.of("command", List.of("true")))
                        .send(),
                api.put("/v1/sandboxes/" + id + "/files?path=x")
                        .key(key)
                        .bytes(new byte[] {1})
                        .send(),
                api.get("/v1/sandboxes/" + id + "/files?path=x").key(key).send(),
                api.post("/v1/sandboxes/" + id + "/snapshots")
                        .key(key)
                        .json(Map.of())
                        .send(),
                api.get("/v1/snapshots/" + snapshotId).key(key).send(),
                api.delete("/v1/snapshots/" + snapshotId).key(key).send(),
                api.post("/v1/sandboxes")
                        .key(key)
                        .json(Map.of("fromSnapshot", snapshotId))
                        .send(),
                api.delete("/v1/sandboxes/" + id).key(key).send());
        responses.forEach(response -> assertProblem(response, 404, "not-found"));
        assertThat(api.get("/v1/sandboxes").key(key).send().json().get("items")).isEmpty();
        assertThat(api.get("/v1/snapshots").key(key).send().json().get("items")).isEmpty();
        assertThat(api.get("/v1/sandboxes/" + id)
                        .key(owner.key())
                        .send()
                        .json()
                        .get("state")
                        .asString())
                .isEqualTo("RUNNING");
        api.delete("/v1/sandboxes/" + id).key(owner.key()).send();
    }

    @Test
    void tenantKeyOnAdminEndpointGets403() {
        TestTenant tenant = newTenant();
        assertProblem(api.get("/v1/tenants").key(tenant.key()).send(), 403, "forbidden");
        assertProblem(
                api.post("/v1/tenants")
                        .key(tenant.key())
                        .json(Map.of("id", "sneaky", "displayName", "x"))
                        .send(),
                403,
                "forbidden");
        assertProblem(
                api.post("/v1/tenants/" + tenant.id() + "/api-keys")
                        .key(tenant.key())
                        .json(Map.of("name", "more"))
                        .send(),
                403,
                "forbidden");
    }

    @Test
    void adminKeyCannotActAsATenant() {
        assertProblem(api.post("/v1/sandboxes").key(ADMIN_KEY).json(Map.of()).send(), 403, "forbidden");
        assertProblem(api.get("/v1/snapshots").key(ADMIN_KEY).send(), 403, "forbidden");
    }

    @Test
    void missingUnknownAndRevokedKeysGet401() {
        assertProblem(api.get("/v1/sandboxes").send(), 401, "unauthorized");
        assertProblem(
                api.get("/v1/sandboxes").key("pmk_aaaaaaaa_" + "b".repeat(32)).send(), 401, "unauthorized");
        assertProblem(api.get("/v1/tenants").key("x".repeat(10_000)).send(), 401, "unauthorized");
        assertProblem(api.get("/v1/tenants").key("x".repeat(40_000)).send(), 400, "validation-failed");
        TestTenant tenant = newTenant();
        String keyId = firstKeyId(tenant);
        assertThat(api.get("/v1/sandboxes").key(tenant.key()).send().status()).isEqualTo(200);
        Api.Response revoked = api.delete("/v1/tenants/" + tenant.id() + "/api-keys/" + keyId)
                .key(ADMIN_KEY)
                .send();
        assertThat(revoked.json().get("revokedAt").isNull()).isFalse();
        assertProblem(api.get("/v1/sandboxes").key(tenant.key()).send(), 401, "unauthorized");
    }

    @Test
    void keysAreShownOnceAndListedWithoutSecrets() {
        TestTenant tenant = newTenant();
        Api.Response list = api.get("/v1/tenants/" + tenant.id() + "/api-keys")
                .key(ADMIN_KEY)
                .send();
        assertThat(list.json().get("items")).hasSize(1);
        assertThat(list.json().get("items").get(0).get("key").isNull()).isTrue();
        assertThat(list.text()).doesNotContain(tenant.key());
        assertThat(tenant.key())
                .startsWith(list.json().get("items").get(0).get("prefix").asString() + "_");
    }

    @Test
    void duplicateTenantIdIsAConflict() {
        TestTenant tenant = newTenant();
        assertProblem(
                api.post("/v1/tenants")
                        .key(ADMIN_KEY)
                        .json(Map.of("id", tenant.id(), "displayName", "again"))
                        .send(),
                409,
                "conflict");
        Api.Response fetched =
                api.get("/v1/tenants/" + tenant.id()).key(ADMIN_KEY).send();
        assertThat(fetched.json().get("activeSandboxes").asLong()).isZero();
        assertProblem(api.get("/v1/tenants/no-such-tenant").key(ADMIN_KEY).send(), 404, "not-found");
    }
}
