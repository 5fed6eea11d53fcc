package dev.perimeter.web;

import dev.perimeter.shared.PerimeterException;
import dev.perimeter.shared.Problems;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.GlobalOpenApiCustomizer;

/**
 * Documents, on every {@code /v1} operation, the RFC 9457 problems it may answer: one response per status, each naming
 * its problem types, all with the shared {@code Problem} schema. Which types an operation can answer follows from its
 * path and method, the way the services raise them.
 */
class ProblemResponses implements GlobalOpenApiCustomizer {

    static final String SCHEMA = "Problem";

    /** Every problem type of the API, by slug, with its status. */
    static final Map<String, Integer> TYPES = Map.ofEntries(
            Map.entry("validation-failed", 400),
            Map.entry("unauthorized", 401),
            Map.entry("budget-exhausted", 402),
            Map.entry("forbidden", 403),
            Map.entry("region-not-allowed", 403),
            Map.entry("provider-not-allowed", 403),
            Map.entry("not-found", 404),
            Map.entry("conflict", 409),
            Map.entry("idempotency-in-flight", 409),
            Map.entry("payload-too-large", 413),
            Map.entry("idempotency-key-reused", 422),
            Map.entry("capability-unsupported", 422),
            Map.entry("quota-exceeded", 429),
            Map.entry("provider-error", 502),
            Map.entry("provider-unavailable", 503),
            Map.entry("service-unavailable", 503),
            Map.entry("tunnel-unavailable", 503),
            Map.entry("tunnel-archived", 410),
            Map.entry("tunnel-busy", 429),
            Map.entry("tunnel-timeout", 504),
            Map.entry("tunnel-replica-held", 409));

    @Override
    public void customise(OpenAPI openApi) {
        if (openApi.getComponents() == null) {
            openApi.setComponents(new Components());
        }
        openApi.getComponents().addSchemas(SCHEMA, schema());
        if (openApi.getPaths() == null) {
            return;
        }
        openApi.getPaths().forEach((path, item) -> {
            if (path.startsWith("/v1/")) {
                item.readOperationsMap().forEach((method, operation) -> document(path, method, operation));
            }
        });
    }

    private static void document(String path, PathItem.HttpMethod method, Operation operation) {
        Map<Integer, List<String>> byStatus = slugsFor(path, method, operation).stream()
                .collect(Collectors.groupingBy(TYPES::get, TreeMap::new, Collectors.toList()));
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        byStatus.forEach((status, slugs) -> responses.addApiResponse(String.valueOf(status), response(status, slugs)));
        operation.setResponses(responses);
    }

    static Set<String> slugsFor(String path, PathItem.HttpMethod method, Operation operation) {
        Set<String> slugs =
                new LinkedHashSet<>(List.of("validation-failed", "unauthorized", "forbidden", "service-unavailable"));
        if (path.contains("{")) {
            slugs.add("not-found");
        }
        if (operation.getRequestBody() != null) {
            slugs.add("payload-too-large");
        }
        boolean dataPlane = path.startsWith("/v1/sandboxes") || path.startsWith("/v1/snapshots");
        if (dataPlane && (method != PathItem.HttpMethod.GET || path.endsWith("/files"))) {
            slugs.addAll(List.of("conflict", "provider-error", "provider-unavailable"));
        }
        if (path.equals("/v1/sandboxes") && method == PathItem.HttpMethod.POST) {
            slugs.addAll(List.of(
                    "quota-exceeded",
                    "budget-exhausted",
                    "region-not-allowed",
                    "provider-not-allowed",
                    "capability-unsupported",
                    "idempotency-key-reused",
                    "idempotency-in-flight"));
        }
        if (path.endsWith("/snapshots") && method == PathItem.HttpMethod.POST) {
            slugs.addAll(List.of("quota-exceeded", "capability-unsupported"));
        }
        if (path.equals("/v1/tenants") && method == PathItem.HttpMethod.POST) {
            slugs.add("conflict");
        }
        if (path.equals("/v1/tunnels") && method == PathItem.HttpMethod.POST) {
            slugs.addAll(List.of("quota-exceeded", "region-not-allowed", "capability-unsupported"));
        }
        if (path.endsWith("/rotate-token")) {
            slugs.add("tunnel-archived");
        }
        if (path.startsWith("/v1/tunnels/") && path.endsWith("/mcp")) {
            slugs.addAll(List.of(
                    "tunnel-unavailable",
                    "tunnel-archived",
                    "tunnel-busy",
                    "tunnel-timeout",
                    "payload-too-large",
                    "region-not-allowed"));
        }
        return slugs;
    }

    private static ApiResponse response(int status, List<String> slugs) {
        String types = slugs.stream()
                .map(slug -> "`" + PerimeterException.typeOf(slug) + "`")
                .collect(Collectors.joining(", "));
        ApiResponse response = new ApiResponse()
                .description("Problem types: " + types)
                .content(new Content()
                        .addMediaType(
                                Problems.MEDIA_TYPE,
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + SCHEMA))));
        if (status == 429 || status == 503) {
            response.addHeaderObject(
                    "Retry-After",
                    new Header()
                            .description("Seconds to wait before trying again")
                            .schema(new Schema<Integer>().type("integer")));
        }
        return response;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema<?> schema() {
        List<String> types = TYPES.keySet().stream()
                .sorted()
                .map(slug -> PerimeterException.typeOf(slug).toString())
                .toList();
        Schema<String> type = new Schema<String>()
                .type("string")
                .format("uri")
                .description("The problem type; one of the listed URIs");
        type.setEnum(types);
        Schema fieldError = new Schema<>()
                .type("object")
                .addProperty("field", new Schema<String>().type("string"))
                .addProperty("message", new Schema<String>().type("string"));
        return new Schema<>()
                .type("object")
                .description("An RFC 9457 problem (application/problem+json); extensions depend on the type")
                .addProperty("type", type)
                .addProperty("title", new Schema<String>().type("string"))
                .addProperty("status", new Schema<Integer>().type("integer"))
                .addProperty("detail", new Schema<String>().type("string"))
                .addProperty("instance", new Schema<String>().type("string"))
                .addProperty(
                        "correlationId",
                        new Schema<String>().type("string").description("Also in the X-Correlation-Id header"))
                .addProperty(
                        "errors",
                        new Schema<>()
                                .type("array")
                                .items(fieldError)
                                .description("validation-failed: what was wrong, field by field"))
                .addProperty(
                        "scope", new Schema<String>().type("string").description("quota-exceeded: TENANT or AGENT"))
                .addProperty("limit", new Schema<>().description("quota-exceeded: the limit that was reached"))
                .addProperty("current", new Schema<>().description("quota-exceeded: the count at the limit"))
                .addProperty(
                        "limitUsd", new Schema<String>().type("string").description("budget-exhausted: the budget"))
                .addProperty(
                        "spentUsd",
                        new Schema<String>().type("string").description("budget-exhausted: spent this period"))
                .required(List.of("type", "title", "status"));
    }
}
