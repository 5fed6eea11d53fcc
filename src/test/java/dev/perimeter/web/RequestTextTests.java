package dev.perimeter.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Text PostgreSQL cannot store (U+0000) or UTF-8 cannot carry (an unpaired surrogate), in a body or a query string, is
 * a {@code validation-failed} problem naming the field, never a 500 or data silently changed; nothing is written.
 */
class RequestTextTests extends ApiTestSupport {

    private static final String NUL = "\\u0000";
    private static final String LONE_SURROGATE = "\\ud800";

    @Test
    void nulInABodyIsRefusedWithItsField() {
        TestTenant tenant = newTenant();
        assertRefused(
                api.patch("/v1/tenants/" + tenant.id())
                        .key(ADMIN_KEY)
                        .content("application/merge-patch+json", "{\"displayName\":\"a" + NUL + "b\"}")
                        .send(),
                "displayName",
                "NUL");
        assertRefused(
                api.post("/v1/tenants/" + tenant.id() + "/api-keys")
                        .key(ADMIN_KEY)
                        .json("{\"name\":\"ci" + NUL + "\"}")
                        .send(),
                "name",
                "NUL");
        assertRefused(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json("{\"labels\":{\"team\":\"a" + NUL + "\"}}")
                        .send(),
                "labels.team",
                "NUL");
        assertRefused(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json("{\"labels\":{\"te" + NUL + "am\":\"a\"}}")
                        .send(),
                "labels",
                "keys must not contain NUL");

        assertThat(api.get("/v1/tenants/" + tenant.id())
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("displayName")
                        .asString())
                .isEqualTo("Tenant " + tenant.id());
        assertThat(api.get("/v1/tenants/" + tenant.id() + "/api-keys")
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("items"))
                .hasSize(1);
        assertThat(activeSandboxes(tenant)).isZero();
    }

    @Test
    void anUnpairedSurrogateIsRefusedInsteadOfStoredAsAQuestionMark() {
        TestTenant tenant = newTenant();
        assertRefused(
                api.post("/v1/tenants")
                        .key(ADMIN_KEY)
                        .json("{\"id\":\"surrogate-1\",\"displayName\":\"a" + LONE_SURROGATE + "b\"}")
                        .send(),
                "displayName",
                "unpaired surrogate");
        assertThat(api.get("/v1/tenants/surrogate-1").key(ADMIN_KEY).send().status())
                .isEqualTo(404);
        assertRefused(
                api.post("/v1/tunnels")
                        .key(tenant.key())
                        .json("{\"name\":\"x" + LONE_SURROGATE + "\",\"region\":\"eu-1\"}")
                        .send(),
                "name",
                "unpaired surrogate");

        Api.Response paired = api.patch("/v1/tenants/" + tenant.id())
                .key(ADMIN_KEY)
                .content("application/merge-patch+json", "{\"displayName\":\"Team \\ud83d\\ude80\"}")
                .send();
        assertThat(paired.status()).as(paired.text()).isEqualTo(200);
        assertThat(api.get("/v1/tenants/" + tenant.id())
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("displayName")
                        .asString())
                .isEqualTo("Team \uD83D\uDE80");
    }

    @Test
    void execStdinMayCarryNul() {
        TestTenant tenant = newTenant();
        String sandbox = createSandbox(tenant, Map.of()).get("id").asString();

        JsonNode result = exec(
                tenant,
                sandbox,
                Map.of("command", List.of("/bin/sh", "-c", "od -An -c | tr -d ' \\n'"), "stdin", "a\0b"));

        assertThat(result.get("stdout").asString()).isEqualTo("a\\0b");
        assertRefused(
                api.post("/v1/sandboxes/" + sandbox + "/exec")
                        .key(tenant.key())
                        .json("{\"command\":[\"/bin/true\"],\"cwd\":\"a" + NUL + "\"}")
                        .send(),
                "cwd",
                "NUL");
    }

    @Test
    void queryStringsMustBeUtf8WithoutControlCharacters() {
        TestTenant tenant = newTenant();
        for (String query : List.of("limit=%FF", "cursor=%C3%28", "agentId=%00", "state=%0A", "agentId=a%1Bb")) {
            assertQueryRefused(
                    api.get("/v1/sandboxes?" + query).key(tenant.key()).send());
        }
        assertQueryRefused(api.get("/v1/audit?tenantId=%00").key(ADMIN_KEY).send());
        assertQueryRefused(api.get("/v1/tenants?cursor=%FF").key(ADMIN_KEY).send());
        assertQueryRefused(api.get("/v1/connectors/anthropic/sessions?tenantId=%00")
                .key(ADMIN_KEY)
                .send());

        Api.Response unicode =
                api.get("/v1/sandboxes?agentId=%C3%BC").key(tenant.key()).send();
        assertThat(unicode.status()).as("well-formed UTF-8 passes the firewall").isEqualTo(200);
        assertThat(unicode.json().get("items")).isEmpty();
    }

    private static void assertRefused(Api.Response response, String field, String reason) {
        assertProblem(response, 400, "validation-failed");
        JsonNode error = response.json().get("errors").get(0);
        assertThat(error.get("field").asString()).as(response.text()).isEqualTo(field);
        assertThat(error.get("message").asString()).as(response.text()).contains(reason);
    }

    private static void assertQueryRefused(Api.Response response) {
        assertProblem(response, 400, "validation-failed");
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("query");
    }
}
