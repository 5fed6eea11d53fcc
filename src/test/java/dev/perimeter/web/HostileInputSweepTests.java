package dev.perimeter.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every operation {@code /v3/api-docs} documents, called with both kinds of key and hostile input: query values that
 * are not UTF-8 or hold control characters, a body built from the operation's schema with every string replaced by
 * text PostgreSQL cannot store, malformed bodies, and odd or oversized headers. Path variables name real resources of
 * the caller where there are some, so the input reaches the code behind validation. No answer may be a 500, and every
 * error is a problem. And another tenant's key on every operation that names a tenant's resource gets the answer a
 * missing resource gets.
 */
class HostileInputSweepTests extends ApiTestSupport {

    private static final List<String> QUERY_VALUES =
            List.of("%FF", "%00", "%0A", "-1", "9".repeat(40), "..%2F..%2Fetc%2Fpasswd", "a".repeat(4000));
    private static final List<String> HOSTILE_TEXT = List.of("a\0b", "a\uD800b", "x".repeat(70_000));
    private static final List<String> MALFORMED_BODIES =
            List.of("{", "[]", "null", "1", "{\"a\":" + "[".repeat(2000) + "]".repeat(2000) + "}", "{\"\\u0000\":1}");
    private static final Map<String, String> HOSTILE_HEADERS = Map.of(
            "Accept", "application/xml",
            "X-Correlation-Id", "c".repeat(300),
            "Idempotency-Key", "k".repeat(300),
            "If-None-Match", "*",
            "Content-Language", "x".repeat(6000));
    private static final List<String> OWNED = List.of("sandboxId", "snapshotId", "tunnelId");
    private static final Pattern VARIABLE = Pattern.compile("\\{(\\w+)}");

    private final List<String> failures = new ArrayList<>();
    private int calls;

    @Test
    void noHostileInputIsA500() {
        TestTenant tenant = newTenant();
        Map<String, String> variables = resourcesOf(tenant);
        JsonNode docs = api.get("/v3/api-docs").send().json();

        int operations = 0;
        for (Map.Entry<String, JsonNode> path : docs.get("paths").properties()) {
            if (path.getKey().endsWith("/mcp") || path.getKey().endsWith("/connect")) {
                continue; // relayed to a private MCP server as they are; TunnelStreamingTests covers them
            }
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                operations++;
                String method = operation.getKey().toUpperCase();
                String target = substitute(path.getKey(), variables);
                for (String key : List.of(tenant.key(), ADMIN_KEY)) {
                    sweep(docs, method, target, operation.getValue(), key);
                }
            }
        }

        assertThat(failures)
                .as("answers to hostile input that are 500s or not problems")
                .isEmpty();
        assertThat(operations).as("operations swept").isGreaterThan(35);
        assertThat(calls).as("calls made").isGreaterThan(1000);
    }

    @Test
    void anotherTenantsResourcesLookMissingAndStayUnchanged() {
        TestTenant owner = newTenant();
        Map<String, String> resources = resourcesOf(owner);
        TestTenant stranger = newTenant();
        JsonNode docs = api.get("/v3/api-docs").send().json();

        int operations = 0;
        int notFound = 0;
        for (Map.Entry<String, JsonNode> path : docs.get("paths").properties()) {
            boolean owned = OWNED.stream().anyMatch(variable -> path.getKey().contains("{" + variable + "}"));
            if (!owned || path.getKey().endsWith("/connect")) {
                continue;
            }
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                operations++;
                String method = operation.getKey().toUpperCase();
                Api.Response theirs = strangerCalls(method, path.getKey(), operation.getValue(), resources, stranger);
                Api.Response missing = strangerCalls(method, path.getKey(), operation.getValue(), Map.of(), stranger);
                if (theirs.status() == 404) {
                    notFound++;
                }
                if (theirs.status() != missing.status() || theirs.status() >= 500 || !isProblem(theirs)) {
                    failures.add(method + " " + path.getKey() + " -> " + theirs.status() + " for another tenant's, "
                            + missing.status() + " for a missing one: " + abbreviate(theirs.text()));
                }
            }
        }

        assertThat(failures)
                .as("answers telling another tenant's resource from a missing one")
                .isEmpty();
        assertThat(operations).as("operations on a tenant's resources").isGreaterThan(12);
        assertThat(notFound).as("of them answered 404").isGreaterThan(operations - 5);
        String sandbox = resources.get("sandboxId");
        assertThat(api.get("/v1/sandboxes/" + sandbox)
                        .key(owner.key())
                        .send()
                        .json()
                        .get("state")
                        .asString())
                .isEqualTo("RUNNING");
        assertThat(api.get("/v1/snapshots/" + resources.get("snapshotId"))
                        .key(owner.key())
                        .send()
                        .status())
                .isEqualTo(200);
        JsonNode tunnel = api.get("/v1/tunnels/" + resources.get("tunnelId"))
                .key(owner.key())
                .send()
                .json();
        assertThat(tunnel.get("status").asString()).isNotEqualTo("ARCHIVED");
    }

    /** The operation called with the stranger's key on the given resources ({@code zz} for those not given). */
    private Api.Response strangerCalls(
            String method, String path, JsonNode operation, Map<String, String> resources, TestTenant stranger) {
        String target = substitute(path, resources);
        Api.Call call = api.request(method, target + (target.endsWith("/files") ? "?path=a.txt" : ""));
        if (operation.has("requestBody")) {
            call.json("{}");
        }
        return call.key(stranger.key()).send();
    }

    private void sweep(JsonNode docs, String method, String target, JsonNode operation, String key) {
        boolean hasBody = operation.has("requestBody");
        String emptyBody = hasBody ? "{}" : null;
        for (Map.Entry<String, String> header : HOSTILE_HEADERS.entrySet()) {
            send(method, target, emptyBody, key, Map.of(header.getKey(), header.getValue()));
        }
        for (JsonNode parameter : operation.path("parameters")) {
            if (!"query".equals(parameter.get("in").asString())) {
                continue;
            }
            for (String value : QUERY_VALUES) {
                send(method, target + "?" + parameter.get("name").asString() + "=" + value, emptyBody, key);
            }
        }
        if (!hasBody) {
            return;
        }
        JsonNode schema =
                operation.at("/requestBody/content").values().iterator().next().get("schema");
        for (String text : HOSTILE_TEXT) {
            send(method, target, Api.json().writeValueAsString(sample(docs, schema, text, 0)), key);
        }
        for (String body : MALFORMED_BODIES) {
            send(method, target, body, key);
        }
    }

    private void send(String method, String target, String body, String key) {
        send(method, target, body, key, Map.of());
    }

    private void send(String method, String target, String body, String key, Map<String, String> headers) {
        Api.Call call = api.request(method, target).key(key);
        headers.forEach(call::header);
        if (body != null) {
            call.json(body);
        }
        Api.Response response = call.send();
        calls++;
        String what = method + " " + abbreviate(target) + " " + abbreviate(body) + " " + headers.keySet() + " -> "
                + response.status();
        if (response.status() == 500) {
            failures.add(what + " " + response.text());
        } else if (response.status() >= 400 && !isProblem(response)) {
            failures.add(what + " (not a problem) " + abbreviate(response.text()));
        }
        String correlationId = response.header("X-Correlation-Id");
        if (correlationId == null || correlationId.length() > 128) {
            failures.add(what + " (correlation id missing or not replaced)");
        }
    }

    private static boolean isProblem(Api.Response response) {
        String type = response.header("Content-Type");
        if (type == null || !type.startsWith("application/problem+json")) {
            return false;
        }
        JsonNode problem = response.json();
        return problem.path("type").asString("").startsWith("https://perimeter.dev/problems/")
                && problem.path("status").asInt() == response.status();
    }

    /** A value of the schema whose every string is the given text (enums keep a valid value, to get past them). */
    private static Object sample(JsonNode docs, JsonNode schema, String text, int depth) {
        JsonNode resolved = resolve(docs, schema);
        if (resolved.has("oneOf") || resolved.has("anyOf")) {
            return sample(
                    docs,
                    resolved.path("oneOf").path(0).isMissingNode()
                            ? resolved.get("anyOf").get(0)
                            : resolved.get("oneOf").get(0),
                    text,
                    depth);
        }
        if (resolved.has("enum")) {
            return resolved.get("enum").get(0).asString();
        }
        String type = resolved.path("type").asString("string");
        if (depth > 4) {
            return null;
        }
        return switch (type) {
            case "object" -> object(docs, resolved, text, depth);
            case "array" -> List.of(sample(docs, resolved.path("items"), text, depth + 1));
            case "integer" -> 1;
            case "number" -> 1.5;
            case "boolean" -> true;
            default -> text;
        };
    }

    private static Map<String, Object> object(JsonNode docs, JsonNode schema, String text, int depth) {
        Map<String, Object> value = new LinkedHashMap<>();
        schema.path("properties")
                .properties()
                .forEach(property -> value.put(property.getKey(), sample(docs, property.getValue(), text, depth + 1)));
        if (schema.has("additionalProperties")
                && schema.get("additionalProperties").isObject()) {
            value.put("key", sample(docs, schema.get("additionalProperties"), text, depth + 1));
            value.put(text.length() < 100 ? text : "k", "v");
        }
        return value;
    }

    private static JsonNode resolve(JsonNode docs, JsonNode schema) {
        JsonNode resolved = schema;
        while (resolved.has("$ref")) {
            String name = resolved.get("$ref").asString().substring("#/components/schemas/".length());
            resolved = docs.at("/components/schemas/" + name);
        }
        return resolved;
    }

    /** Real resources of the tenant for each path variable, so hostile input reaches the code behind the lookup. */
    private Map<String, String> resourcesOf(TestTenant tenant) {
        String sandbox = createSandbox(tenant, Map.of()).get("id").asString();
        Api.Response snapshot = api.post("/v1/sandboxes/" + sandbox + "/snapshots")
                .key(tenant.key())
                .send();
        assertThat(snapshot.status()).as(snapshot.text()).isIn(201, 202);
        Api.Response tunnel = api.post("/v1/tunnels")
                .key(tenant.key())
                .json(Map.of("name", "sweep", "region", "eu-1"))
                .send();
        assertThat(tunnel.status()).as(tunnel.text()).isEqualTo(201);
        Api.Response spareKey = api.post("/v1/tenants/" + tenant.id() + "/api-keys")
                .key(ADMIN_KEY)
                .json(Map.of("name", "spare"))
                .send();
        assertThat(spareKey.status()).as(spareKey.text()).isEqualTo(201);
        return Map.of(
                "tenantId", tenant.id(),
                "sandboxId", sandbox,
                "snapshotId", snapshot.json().get("id").asString(),
                "tunnelId", tunnel.json().get("id").asString(),
                "keyId", spareKey.json().get("id").asString(),
                "provider", "no-such-provider",
                "id", "no-such-binding");
    }

    private static String substitute(String path, Map<String, String> variables) {
        Matcher variable = VARIABLE.matcher(path);
        StringBuilder target = new StringBuilder();
        while (variable.find()) {
            variable.appendReplacement(target, variables.getOrDefault(variable.group(1), "zz"));
        }
        return variable.appendTail(target).toString();
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 80 ? text : text.substring(0, 80) + "…(" + text.length() + " chars)";
    }
}
