package dev.perimeter.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The admin API for quotas, budgets, tenant patches, pricing and usage, with the bad input each must refuse. */
class QuotaAndBudgetApiTests extends ApiTestSupport {

    @Test
    void quotaAndBudgetAreSetReadAndShownWithLiveCounts() {
        TestTenant tenant = newTenant();
        Api.Response quota = api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(Map.of(
                        "maxParallelSandboxes", 5,
                        "maxParallelSandboxesPerAgent", 2,
                        "maxSandboxLifetime", "PT30M",
                        "maxVcpusPerSandbox", 2,
                        "maxMemoryMibPerSandbox", 2048,
                        "maxSnapshots", 3))
                .send();
        assertThat(quota.status()).as(quota.text()).isEqualTo(200);
        Api.Response budget = api.put("/v1/tenants/" + tenant.id() + "/budget")
                .key(ADMIN_KEY)
                .json(Map.of("limitUsd", "12.50", "period", "MONTHLY", "onExhausted", "STOP_RUNNING"))
                .send();
        assertThat(budget.status()).as(budget.text()).isEqualTo(200);
        createSandbox(tenant, Map.of());

        JsonNode shown =
                api.get("/v1/tenants/" + tenant.id()).key(ADMIN_KEY).send().json();
        assertThat(shown.get("quota").get("maxParallelSandboxes").asInt()).isEqualTo(5);
        assertThat(shown.get("quota").get("maxSandboxLifetime").asString()).isEqualTo("PT30M");
        assertThat(shown.get("quota").get("maxSnapshots").asInt()).isEqualTo(3);
        assertThat(shown.get("budget").get("limitUsd").asString()).isEqualTo("12.50");
        assertThat(shown.get("budget").get("onExhausted").asString()).isEqualTo("STOP_RUNNING");
        assertThat(shown.get("activeSandboxes").asLong()).isEqualTo(1);
        assertThat(shown.get("spentThisPeriodUsd").asString()).isEqualTo("0.00");

        Map<String, Object> unlimited = new HashMap<>();
        unlimited.put("maxParallelSandboxes", null);
        JsonNode cleared = api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(unlimited)
                .send()
                .json();
        assertThat(cleared.get("quota").get("maxParallelSandboxes").isNull()).isTrue();
        assertThat(cleared.get("quota").get("maxSnapshots").isNull())
                .as("PUT replaces the whole quota")
                .isTrue();
    }

    @Test
    void tenantIsCreatedWithQuotaAndBudget() {
        Api.Response created = api.post("/v1/tenants")
                .key(ADMIN_KEY)
                .json(Map.of(
                        "id", "full-" + System.nanoTime(),
                        "displayName", "Full",
                        "allowedProviders", List.of("local"),
                        "quota", Map.of("maxParallelSandboxes", 3),
                        "budget", Map.of("limitUsd", 100, "period", "MONTHLY", "onExhausted", "DENY_NEW")))
                .send();
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("quota").get("maxParallelSandboxes").asInt())
                .isEqualTo(3);
        assertThat(created.json().get("budget").get("limitUsd").asString()).isEqualTo("100.00");
    }

    @Test
    void mergePatchChangesOnlyWhatItNamesAndNullRemoves() {
        TestTenant tenant = newTenant();
        api.put("/v1/tenants/" + tenant.id() + "/budget")
                .key(ADMIN_KEY)
                .json(Map.of("limitUsd", "5", "period", "MONTHLY", "onExhausted", "DENY_NEW"))
                .send();
        Api.Response patched = api.patch("/v1/tenants/" + tenant.id())
                .key(ADMIN_KEY)
                .content(
                        "application/merge-patch+json",
                        "{\"displayName\":\"Renamed\",\"quota\":{\"maxParallelSandboxes\":4},\"budget\":null}")
                .send();
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        JsonNode body = patched.json();
        assertThat(body.get("displayName").asString()).isEqualTo("Renamed");
        assertThat(body.get("quota").get("maxParallelSandboxes").asInt()).isEqualTo(4);
        assertThat(body.get("budget").isNull()).isTrue();
        assertThat(body.get("id").asString()).isEqualTo(tenant.id());

        Api.Response again = api.patch("/v1/tenants/" + tenant.id())
                .key(ADMIN_KEY)
                .json(Map.of("quota", Map.of("maxSnapshots", 2)))
                .send();
        assertThat(again.json().get("quota").get("maxParallelSandboxes").asInt())
                .as("a nested object merges")
                .isEqualTo(4);
        assertThat(again.json().get("quota").get("maxSnapshots").asInt()).isEqualTo(2);
    }

    @Test
    void patchRefusesFieldsItMayNotChangeAndInvalidValuesAndChangesNothing() {
        TestTenant tenant = newTenant();
        List.of(
                        "{\"id\":\"other\"}",
                        "{\"activeSandboxes\":0}",
                        "{\"spentThisPeriodUsd\":\"0\"}",
                        "[1,2]",
                        "{\"displayName\":null}",
                        "{\"quota\":{\"maxParallelSandboxes\":-1}}",
                        "{\"quota\":{\"maxParallelSandboxes\":\"many\"}}",
                        "{\"budget\":{\"limitUsd\":\"1\"}}",
                        "{\"budget\":{\"limitUsd\":1,\"period\":\"DAILY\",\"onExhausted\":\"DENY_NEW\"}}",
                        "{\"displayName\":",
                        "{\"allowedProviders\":[\"../etc\"]}")
                .forEach(body -> assertProblem(patch(tenant, body), 400, "validation-failed"));
        JsonNode unchanged =
                api.get("/v1/tenants/" + tenant.id()).key(ADMIN_KEY).send().json();
        assertThat(unchanged.get("displayName").asString()).isEqualTo("Tenant " + tenant.id());
        assertThat(unchanged.get("quota").get("maxParallelSandboxes").isNull()).isTrue();
    }

    @Test
    void quotaAndBudgetBodiesAreValidated() {
        TestTenant tenant = newTenant();
        String quota = "/v1/tenants/" + tenant.id() + "/quota";
        String budget = "/v1/tenants/" + tenant.id() + "/budget";
        List.of(
                        "{\"maxVcpusPerSandbox\":0}",
                        "{\"maxSandboxLifetime\":\"PT-5M\"}",
                        "{\"maxSandboxLifetime\":\"P1000D\"}",
                        "{\"maxSandboxLifetime\":\"soon\"}",
                        "{\"maxParallelSandboxes\":99999999999}",
                        "not json")
                .forEach(body -> assertProblem(put(quota, body), 400, "validation-failed"));
        List.of("-1", "\"1.0000001\"", "\"NaN\"", "1e400")
                .forEach(limit -> assertProblem(
                        put(budget, "{\"limitUsd\":" + limit + ",\"period\":\"MONTHLY\",\"onExhausted\":\"DENY_NEW\"}"),
                        400,
                        "validation-failed"));
        assertProblem(
                put(budget, "{\"limitUsd\":1,\"period\":\"MONTHLY\",\"onExhausted\":\"PANIC\"}"),
                400,
                "validation-failed");
        assertProblem(put("/v1/tenants/no-such-tenant/quota", "{}"), 404, "not-found");
        assertProblem(
                put(
                        "/v1/tenants/no-such-tenant/budget",
                        "{\"limitUsd\":1,\"period\":\"MONTHLY\",\"onExhausted\":\"DENY_NEW\"}"),
                404,
                "not-found");
        assertProblem(
                api.patch("/v1/tenants/no-such-tenant")
                        .key(ADMIN_KEY)
                        .json("{}")
                        .send(),
                404,
                "not-found");
    }

    @Test
    void tenantKeysCannotSetQuotasBudgetsOrPrices() {
        TestTenant tenant = newTenant();
        assertProblem(
                api.put("/v1/tenants/" + tenant.id() + "/quota")
                        .key(tenant.key())
                        .json(Map.of("maxParallelSandboxes", 1000))
                        .send(),
                403,
                "forbidden");
        assertProblem(
                api.put("/v1/tenants/" + tenant.id() + "/budget")
                        .key(tenant.key())
                        .json(Map.of("limitUsd", "1000000", "period", "MONTHLY", "onExhausted", "DENY_NEW"))
                        .send(),
                403,
                "forbidden");
        assertProblem(
                api.patch("/v1/tenants/" + tenant.id())
                        .key(tenant.key())
                        .json(Map.of("quota", Map.of()))
                        .send(),
                403,
                "forbidden");
        assertProblem(api.get("/v1/pricing").key(tenant.key()).send(), 403, "forbidden");
        assertProblem(
                api.get("/v1/tenants/" + tenant.id() + "/usage")
                        .key(tenant.key())
                        .send(),
                403,
                "forbidden");
    }

    @Test
    void createsAreHeldToThePerSandboxCapsAndTheLifetimeCap() {
        TestTenant tenant = newTenant();
        api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(Map.of("maxVcpusPerSandbox", 1, "maxMemoryMibPerSandbox", 512, "maxSandboxLifetime", "PT5M"))
                .send();
        Api.Response tooBig = api.post("/v1/sandboxes")
                .key(tenant.key())
                .json(Map.of("resources", Map.of("vcpus", 2, "memoryMib", 1024)))
                .send();
        assertProblem(tooBig, 400, "validation-failed");
        assertThat(tooBig.json().get("errors").toString())
                .contains("resources.vcpus")
                .contains("resources.memoryMib");
        assertProblem(
                api.post("/v1/sandboxes")
                        .key(tenant.key())
                        .json(Map.of("timeout", "PT10M", "resources", Map.of("vcpus", 1, "memoryMib", 256)))
                        .send(),
                400,
                "validation-failed");
        JsonNode capped = createSandbox(tenant, Map.of("resources", Map.of("vcpus", 1, "memoryMib", 256)));
        java.time.Duration lifetime = java.time.Duration.between(
                java.time.Instant.parse(capped.get("createdAt").asString()),
                java.time.Instant.parse(capped.get("expiresAt").asString()));
        assertThat(lifetime)
                .as("the default timeout is cut to the tenant's cap")
                .isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(activeSandboxes(tenant))
                .as("refused creates leave nothing behind")
                .isEqualTo(1);
    }

    @Test
    void snapshotsAreHeldToMaxSnapshots() {
        TestTenant tenant = newTenant();
        api.put("/v1/tenants/" + tenant.id() + "/quota")
                .key(ADMIN_KEY)
                .json(Map.of("maxSnapshots", 1))
                .send();
        String id = createSandbox(tenant, Map.of()).get("id").asString();
        Api.Response first = api.post("/v1/sandboxes/" + id + "/snapshots")
                .key(tenant.key())
                .json(Map.of())
                .send();
        assertThat(first.status()).as(first.text()).isEqualTo(201);
        Api.Response second = api.post("/v1/sandboxes/" + id + "/snapshots")
                .key(tenant.key())
                .json(Map.of())
                .send();
        assertProblem(second, 429, "quota-exceeded");
        assertThat(second.json().get("resource").asString()).isEqualTo("snapshots");
        assertThat(second.json().get("limit").asInt()).isEqualTo(1);
        api.delete("/v1/snapshots/" + first.json().get("id").asString())
                .key(tenant.key())
                .send();
        assertThat(api.post("/v1/sandboxes/" + id + "/snapshots")
                        .key(tenant.key())
                        .json(Map.of())
                        .send()
                        .status())
                .as("a deleted snapshot frees its place")
                .isEqualTo(201);
    }

    @Test
    void pricingIsSeededFromListPricesAndAdminsCanChangeIt() {
        JsonNode prices = api.get("/v1/pricing").key(ADMIN_KEY).send().json().get("items");
        List<String> providers = new java.util.ArrayList<>();
        prices.forEach(price -> providers.add(price.get("provider").asString()));
        assertThat(providers).contains("cloudflare", "daytona", "local", "modal", "vercel");
        JsonNode vercel = findProvider(prices, "vercel");
        assertThat(vercel.get("perCreateUsd").asString()).isEqualTo("0.0000006");
        assertThat(vercel.get("source").asString()).contains("vercel.com");

        Api.Response set = api.put("/v1/pricing/acme-cloud")
                .key(ADMIN_KEY)
                .json(Map.of(
                        "vcpuSecondUsd", "0.00002",
                        "memoryGibSecondUsd", "0.000003",
                        "gpuSecondUsd", "0.0004",
                        "perCreateUsd", "0",
                        "snapshotGbMonthUsd", "0.05",
                        "source", "negotiated rate"))
                .send();
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(set.json().get("vcpuSecondUsd").asString()).isEqualTo("0.00002");

        assertProblem(
                api.put("/v1/pricing/acme-cloud")
                        .key(ADMIN_KEY)
                        .json(Map.of(
                                "vcpuSecondUsd", "-1",
                                "memoryGibSecondUsd", "0",
                                "gpuSecondUsd", "0",
                                "perCreateUsd", "0",
                                "snapshotGbMonthUsd", "0"))
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.put("/v1/pricing/acme-cloud")
                        .key(ADMIN_KEY)
                        .json(Map.of("vcpuSecondUsd", "1"))
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.put("/v1/pricing/ACME%20Cloud")
                        .key(ADMIN_KEY)
                        .json(Map.of(
                                "vcpuSecondUsd", "1",
                                "memoryGibSecondUsd", "0",
                                "gpuSecondUsd", "0",
                                "perCreateUsd", "0",
                                "snapshotGbMonthUsd", "0"))
                        .send(),
                400,
                "validation-failed");
    }

    @Test
    void usageWindowsAreValidatedAndTenantsSeeOnlyTheirOwn() {
        TestTenant tenant = newTenant();
        TestTenant other = newTenant();
        Api.Response own = api.get("/v1/usage").key(tenant.key()).send();
        assertThat(own.status()).as(own.text()).isEqualTo(200);
        assertThat(own.json().get("tenantId").asString()).isEqualTo(tenant.id());
        assertThat(own.json().get("costUsd").asString()).isEqualTo("0.00");
        assertThat(api.get("/v1/tenants/" + other.id() + "/usage")
                        .key(ADMIN_KEY)
                        .send()
                        .json()
                        .get("tenantId")
                        .asString())
                .isEqualTo(other.id());
        assertProblem(
                api.get("/v1/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
                        .key(tenant.key())
                        .send(),
                400,
                "validation-failed");
        assertProblem(
                api.get("/v1/usage?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")
                        .key(tenant.key())
                        .send(),
                400,
                "validation-failed");
        assertProblem(api.get("/v1/usage?from=yesterday").key(tenant.key()).send(), 400, "validation-failed");
        assertProblem(api.get("/v1/tenants/no-such-tenant/usage").key(ADMIN_KEY).send(), 404, "not-found");
    }

    private static Map<String, Object> price(String vcpuSecondUsd) {
        return Map.of(
                "vcpuSecondUsd", vcpuSecondUsd,
                "memoryGibSecondUsd", "0",
                "gpuSecondUsd", "0",
                "perCreateUsd", "0",
                "snapshotGbMonthUsd", "0");
    }

    private static JsonNode findProvider(JsonNode prices, String provider) {
        for (JsonNode price : prices) {
            if (price.get("provider").asString().equals(provider)) {
                return price;
            }
        }
        throw new AssertionError("no price for " + provider);
    }

    private Api.Response patch(TestTenant tenant, String body) {
        return api.patch("/v1/tenants/" + tenant.id()).key(ADMIN_KEY).json(body).send();
    }

    private Api.Response put(String path, String body) {
        return api.put(path).key(ADMIN_KEY).json(body).send();
    }
}
