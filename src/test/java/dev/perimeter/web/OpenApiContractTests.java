package dev.perimeter.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v3/api-docs} lists every endpoint of the contract (a copy of {@code ../shared/API.md} in the test resources), documents its problems and its
 * bearer key, and is served, with Swagger UI, without a key.
 */
class OpenApiContractTests extends ApiTestSupport {

    /**
     * Endpoints of API.md still being built, with the issue that builds them. Whoever ships one removes its line here:
     * the test fails while a built endpoint is still listed as pending.
     */
    static final Map<String, String> PENDING = Map.ofEntries();

    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern ENDPOINT = Pattern.compile(
            "((?:GET|POST|PUT|PATCH|DELETE)(?:\\s*\\\\?\\|\\s*(?:GET|POST|PUT|PATCH|DELETE))*)\\s+(\\S+)");
    private static final Pattern PROBLEM_TYPE = Pattern.compile("`([a-z-]+)`\\s+(\\d{3})");

    @Test
    void everyEndpointOfTheContractIsDocumented() throws IOException {
        Set<String> contract = contractEndpoints();
        Set<String> documented =
                documentedEndpoints(api.get("/v3/api-docs").send().json());
        assertThat(contract).as("endpoints read from API.md").hasSizeGreaterThan(30);
        assertThat(contract).as("pending endpoints that API.md does not name").containsAll(PENDING.keySet());

        List<String> missing = new ArrayList<>();
        List<String> shippedButPending = new ArrayList<>();
        for (String endpoint : contract) {
            if (PENDING.containsKey(endpoint) && documented.contains(endpoint)) {
                shippedButPending.add(endpoint);
            } else if (!PENDING.containsKey(endpoint) && !documented.contains(endpoint)) {
                missing.add(endpoint);
            }
        }
        assertThat(missing).as("API.md endpoints missing from /v3/api-docs").isEmpty();
        assertThat(shippedButPending)
                .as("built now: remove them from OpenApiContractTests.PENDING")
                .isEmpty();
    }

    @Test
    void problemsAndTheBearerKeyAreDocumented() throws IOException {
        JsonNode docs = api.get("/v3/api-docs").send().json();

        JsonNode scheme = docs.at("/components/securitySchemes/apiKey");
        assertThat(scheme.get("type").asString()).isEqualTo("http");
        assertThat(scheme.get("scheme").asString()).isEqualTo("bearer");
        assertThat(docs.at("/security/0/apiKey").isArray()).isTrue();

        Set<String> types = new TreeSet<>();
        docs.at("/components/schemas/Problem/properties/type/enum").forEach(type -> types.add(type.asString()));
        Map<String, Integer> contractTypes = contractProblemTypes();
        assertThat(contractTypes).hasSizeGreaterThanOrEqualTo(15);
        contractTypes.forEach((slug, status) -> {
            assertThat(types).contains("https://perimeter.dev/problems/" + slug);
            assertThat(ProblemResponses.TYPES).containsEntry(slug, status);
        });

        JsonNode create = docs.at("/paths/~1v1~1sandboxes/post/responses");
        for (String status : List.of("400", "401", "402", "403", "409", "413", "422", "429", "502", "503")) {
            assertThat(create.at("/" + status + "/content/application~1problem+json/schema/$ref")
                            .asString())
                    .as("POST /v1/sandboxes %s", status)
                    .isEqualTo("#/components/schemas/Problem");
        }
        assertThat(create.at("/429/description").asString()).contains("https://perimeter.dev/problems/quota-exceeded");
        assertThat(create.at("/429/headers/Retry-After").isMissingNode()).isFalse();
        assertThat(docs.at("/paths/~1v1~1tenants~1{tenantId}/get/responses/404/description")
                        .asString())
                .contains("https://perimeter.dev/problems/not-found");
    }

    @Test
    void theTenantIsNotARequestParameter() {
        JsonNode docs = api.get("/v3/api-docs").send().json();

        List<String> asking = new ArrayList<>();
        docs.get("paths").properties().forEach(path -> path.getValue()
                .properties()
                .forEach(operation -> operation.getValue().path("parameters").forEach(parameter -> {
                    if (parameter.get("name").asString().equals("tenant")) {
                        asking.add(operation.getKey().toUpperCase() + " " + path.getKey());
                    }
                })));
        assertThat(asking).as("operations documenting a 'tenant' parameter").isEmpty();
        assertThat(docs.at("/components/schemas/TenantContext").isMissingNode()).isTrue();
        assertThat(docs.get("paths").has("/error"))
                .as("the error dispatch is not an operation")
                .isFalse();
        assertThat(docs.at("/paths/~1v1~1sandboxes/get/parameters").findValuesAsString("name"))
                .containsExactlyInAnyOrder("state", "agentId", "cursor", "limit");
    }

    @Test
    void docsAndSwaggerUiNeedNoKey() {
        assertThat(api.get("/v3/api-docs").send().status()).isEqualTo(200);
        Api.Response ui = api.get("/swagger-ui.html").send();
        assertThat(ui.status()).isEqualTo(302);
        String location = URI_PATH.matcher(ui.header("Location")).replaceFirst("");
        Api.Response page = api.get(location).send();
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("swagger-ui");
    }

    private static final Path BUNDLED = Path.of("src/test/resources/contract/API.md");
    private static final Pattern URI_PATH = Pattern.compile("^https?://[^/]+");

    /** Method and path of every endpoint in API.md's tables, path variables written {@code {}}. */
    static Set<String> contractEndpoints() throws IOException {
        Set<String> endpoints = new LinkedHashSet<>();
        for (String row : Files.readAllLines(contract())) {
            if (!row.startsWith("| `")) {
                continue;
            }
            String firstCell = row.substring(1, row.indexOf(" | ", 1) < 0 ? row.length() : row.indexOf(" | ", 1));
            String previous = null;
            Matcher code = CODE.matcher(firstCell);
            while (code.find()) {
                Matcher endpoint = ENDPOINT.matcher(code.group(1));
                if (!endpoint.matches()) {
                    continue;
                }
                String path = expand(endpoint.group(2), previous);
                previous = path;
                for (String method : endpoint.group(1).split("\\s*\\\\?\\|\\s*")) {
                    endpoints.add(method.strip() + " " + normalize(path));
                }
            }
        }
        return endpoints;
    }

    /** {@code …/api-keys/{keyId}} after {@code /v1/tenants/{tenantId}/api-keys}: the ellipsis stands for the prefix. */
    private static String expand(String path, String previous) {
        if (!path.startsWith("…")) {
            return path;
        }
        String rest = path.substring(1);
        String firstSegment = rest.substring(0, rest.indexOf('/', 1) < 0 ? rest.length() : rest.indexOf('/', 1));
        int at = previous.indexOf(firstSegment);
        return (at < 0 ? previous : previous.substring(0, at)) + rest;
    }

    private static String normalize(String path) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return bare.replaceAll("\\{[^}]*}", "{}");
    }

    private static Set<String> documentedEndpoints(JsonNode docs) {
        Set<String> endpoints = new LinkedHashSet<>();
        docs.get("paths").properties().forEach(path -> path.getValue()
                .properties()
                .forEach(
                        operation -> endpoints.add(operation.getKey().toUpperCase() + " " + normalize(path.getKey()))));
        return endpoints;
    }

    private static Map<String, Integer> contractProblemTypes() throws IOException {
        String text = Files.readString(contract());
        String section = text.substring(text.indexOf("## Problem types"));
        Map<String, Integer> types = new LinkedHashMap<>();
        Matcher matcher = PROBLEM_TYPE.matcher(section);
        while (matcher.find()) {
            types.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
        }
        return types;
    }

    /**
     * The contract: the copy of {@code ../shared/API.md} kept in the test resources, because CI checks out this
     * repository alone (refresh it with {@code cp ../shared/API.md src/test/resources/contract/API.md} when the
     * contract grows), or where {@code perimeter.api-contract} says.
     */
    private static Path contract() {
        String configured = System.getProperty("perimeter.api-contract");
        Path path = configured != null ? Path.of(configured) : BUNDLED;
        assertThat(path)
                .as("the API contract; set -Dperimeter.api-contract to its path")
                .exists();
        return path;
    }
}
