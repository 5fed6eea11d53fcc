package dev.perimeter.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A value of the wrong type, in a body, a query string or a path, is a {@code validation-failed} problem that names the
 * field and what it must be, without echoing the value; a number is never silently truncated or wrapped.
 */
class TypedInputTests extends ApiTestSupport {

    @Test
    void wholeNumbersAreNeitherTruncatedNorWrapped() {
        TestTenant tenant = newTenant();
        limitSandboxes(tenant, 3);

        assertRefused(
                putQuota(tenant, "{\"maxParallelSandboxes\":1.5}"), "maxParallelSandboxes", "must be a whole number");
        assertRefused(
                putQuota(tenant, "{\"maxParallelSandboxes\":2147483648}"), "maxParallelSandboxes", "out of range");
        assertRefused(
                putQuota(tenant, "{\"maxParallelSandboxes\":1e400}"), "maxParallelSandboxes", "must be a whole number");

        JsonNode quota = api.get("/v1/tenants/" + tenant.id())
                .key(ADMIN_KEY)
                .send()
                .json()
                .get("quota");
        assertThat(quota.get("maxParallelSandboxes").asInt()).isEqualTo(3);
        assertThat(putQuota(tenant, "{\"maxParallelSandboxes\":4}").status()).isEqualTo(200);
    }

    @Test
    void queryParametersOfTheWrongTypeSayWhatTheyMustBe() {
        TestTenant tenant = newTenant();

        assertRefused(api.get("/v1/sandboxes?limit=abc").key(tenant.key()).send(), "limit", "must be a whole number");
        assertRefused(api.get("/v1/snapshots?limit=1.5").key(tenant.key()).send(), "limit", "must be a whole number");
        Api.Response state =
                api.get("/v1/sandboxes?state=SLEEPING").key(tenant.key()).send();
        assertRefused(state, "state", "must be one of");
        assertThat(state.json().get("errors").get(0).get("message").asString()).contains("RUNNING", "DESTROYED");
        Api.Response from = api.get("/v1/tenants/" + tenant.id() + "/usage?from=" + "x".repeat(300))
                .key(ADMIN_KEY)
                .send();
        assertRefused(from, "from", "RFC 3339 timestamp");
        assertThat(from.text()).doesNotContain("xxxxxxxx");
    }

    @Test
    void aFieldGivenTwiceIsRefusedNotResolved() {
        TestTenant tenant = newTenant();

        Api.Response twice = putQuota(tenant, "{\"maxParallelSandboxes\":2,\"maxParallelSandboxes\":9}");
        assertProblem(twice, 400, "validation-failed");
        assertThat(twice.json().get("detail").asString()).contains("the same field twice");
        Api.Response nested = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json("{\"labels\":{\"team\":\"a\",\"team\":\"b\"}}")
                .send();
        assertProblem(nested, 400, "validation-failed");
        assertThat(nested.json().get("detail").asString()).contains("the same field twice");
        assertThat(activeSandboxes(tenant)).isZero();
    }

    private Api.Response putQuota(TestTenant tenant, String json) {
        return api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(json)
                .send();
    }

    private static void assertRefused(Api.Response response, String field, String reason) {
        assertProblem(response, 400, "validation-failed");
        JsonNode error = response.json().get("errors").get(0);
        assertThat(error.get("field").asString()).as(response.text()).isEqualTo(field);
        assertThat(error.get("message").asString()).as(response.text()).contains(reason);
        assertThat(response.json().get("title").asString()).isEqualTo("Validation failed");
    }
}
