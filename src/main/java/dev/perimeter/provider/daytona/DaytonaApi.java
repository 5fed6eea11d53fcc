package dev.perimeter.provider.daytona;

import dev.perimeter.provider.http.VendorHttp;
import dev.perimeter.provider.http.VendorRequest;
import dev.perimeter.provider.http.VendorResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Daytona's main API, as {@code daytona-api.openapi.yaml} describes it: sandboxes and snapshots. Lookups of something
 * that is not there answer empty; everything else that fails throws the typed provider exceptions of {@link
 * VendorHttp}.
 */
final class DaytonaApi {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int PAGE = 200;

    private final VendorHttp http;
    private final String base;

    DaytonaApi(VendorHttp http, URI apiUrl) {
        this.http = http;
        String url = apiUrl.toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** {@code GET /sandbox/{idOrName}}: the sandbox, or empty when Daytona does not know it. */
    Optional<JsonNode> sandbox(String idOrName) {
        VendorResponse response = http.send(
                VendorRequest.get(uri("/sandbox/" + segment(idOrName))).accepting(404));
        return response.status() == 404 ? Optional.empty() : Optional.of(response.json());
    }

    /**
     * {@code POST /sandbox}. Retryable: the body names the sandbox with our id, and Daytona refuses a second sandbox of
     * the same name (409), so a retry cannot provision twice; a 409 answers empty for the caller to look the first one
     * up.
     */
    Optional<JsonNode> create(ObjectNode body) {
        VendorResponse response = http.send(VendorRequest.postJson(uri("/sandbox"), JSON.writeValueAsBytes(body))
                .retryable()
                .accepting(409));
        return response.status() == 409 ? Optional.empty() : Optional.of(response.json());
    }

    /** {@code DELETE /sandbox/{idOrName}}; a sandbox that is already gone is not an error. */
    void delete(String idOrName) {
        http.send(VendorRequest.delete(uri("/sandbox/" + segment(idOrName))).accepting(404));
    }

    /** {@code GET /sandbox?labels=…}, every page: the sandboxes carrying all these labels. */
    List<JsonNode> sandboxesLabelled(Map<String, String> labels) {
        String filter = JSON.writeValueAsString(labels);
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            String query =
                    "?labels=" + query(filter) + "&limit=" + PAGE + (cursor == null ? "" : "&cursor=" + query(cursor));
            JsonNode page =
                    http.send(VendorRequest.get(uri("/sandbox" + query))).json();
            page.path("items").forEach(all::add);
            JsonNode next = page.get("nextCursor");
            cursor = next == null || next.isNull() || next.asString().isEmpty() ? null : next.asString();
        } while (cursor != null);
        return all;
    }

    /**
     * {@code POST /sandbox/{idOrName}/snapshot} with {@code {name}}. Retryable for the same reason as {@link
     * #create}: snapshot names are unique, so a retry answers 409 instead of snapshotting twice.
     */
    void snapshot(String idOrName, String name) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        http.send(
                VendorRequest.postJson(uri("/sandbox/" + segment(idOrName) + "/snapshot"), JSON.writeValueAsBytes(body))
                        .retryable()
                        .accepting(409));
    }

    /** {@code GET /snapshots/{idOrName}}: the snapshot, or empty when Daytona does not know it. */
    Optional<JsonNode> snapshotByIdOrName(String idOrName) {
        VendorResponse response = http.send(
                VendorRequest.get(uri("/snapshots/" + segment(idOrName))).accepting(404));
        return response.status() == 404 ? Optional.empty() : Optional.of(response.json());
    }

    /** {@code DELETE /snapshots/{id}}; a snapshot that is already gone is not an error. */
    void deleteSnapshot(String id) {
        http.send(VendorRequest.delete(uri("/snapshots/" + segment(id))).accepting(404));
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
