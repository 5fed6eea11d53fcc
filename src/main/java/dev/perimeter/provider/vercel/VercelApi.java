package dev.perimeter.provider.vercel;

import dev.perimeter.provider.http.VendorHttp;
import dev.perimeter.provider.http.VendorRequest;
import dev.perimeter.provider.http.VendorResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The Vercel Sandbox endpoints this provider uses, as the SDK calls them ({@code vercel/sandbox}, {@code
 * packages/vercel-sandbox/src/api-client/api-client.ts}): {@code ?teamId=} on every call, {@code projectId} on calls
 * that name a sandbox and {@code project} on the list; session calls under {@code /v2/sandboxes/sessions/{id}}.
 * Calls that may be repeated safely are marked so, and {@link VendorHttp} retries them.
 */
final class VercelApi {

    /** Statuses a session call hands back so the caller can resume the session and try once more. */
    static final int SESSION_STOPPED = 410;

    static final int SESSION_BUSY = 422;

    private static final String JSON = "application/json";

    private final VendorHttp http;
    private final String base;
    private final String teamId;
    private final String projectId;

    VercelApi(VendorHttp http, VercelProviderProperties properties) {
        this.http = http;
        this.base = properties.apiUrl().toString().replaceAll("/+$", "");
        this.teamId = properties.effectiveTeamId();
        this.projectId = properties.effectiveProjectId();
    }

    String projectId() {
        return projectId;
    }

    /** {@code GET /v2/sandboxes/{name}}: the sandbox and its current session, resumed if asked; empty when unknown. */
    Optional<JsonNode> getSandbox(String name, boolean resume) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("projectId", projectId);
        if (resume) {
            query.put("resume", "true");
        }
        VendorResponse response = http.send(
                VendorRequest.get(uri("/v2/sandboxes/" + segment(name), query)).accepting(404));
        return response.status() == 404 ? Optional.empty() : Optional.of(response.json());
    }

    /**
     * {@code POST /v3/sandboxes}. Repeatable: the body names the sandbox, and Vercel refuses a second sandbox of the same
     * name with 400, which is handed back for the caller to resolve.
     */
    VendorResponse createSandbox(byte[] body) {
        return http.send(VendorRequest.postJson(uri("/v3/sandboxes", Map.of()), body)
                .retryable()
                .accepting(400));
    }

    /** {@code DELETE /v2/sandboxes/{name}}; answers whether there was one. */
    boolean deleteSandbox(String name) {
        VendorResponse response =
                http.send(VendorRequest.delete(uri("/v2/sandboxes/" + segment(name), Map.of("projectId", projectId)))
                        .accepting(404));
        return response.status() != 404;
    }

    /** {@code GET /v2/sandboxes}: one page of the project's sandboxes carrying that tag. */
    JsonNode listSandboxes(String tag, @Nullable String cursor) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("project", projectId);
        query.put("tags", tag);
        query.put("limit", "100");
        if (cursor != null) {
            query.put("cursor", cursor);
        }
        return http.send(VendorRequest.get(uri("/v2/sandboxes", query))).json();
    }

    /**
     * {@code POST S/cmd} with {@code wait}: the NDJSON stream, handed to {@code reader}. Never repeated — the command
     * would run twice. Waits for the stream's headers at most {@code timeout}.
     */
    <T> T runCommand(String sessionId, byte[] body, Duration timeout, VendorHttp.HeadersStreamReader<T> reader) {
        return http.streamWithHeaders(
                VendorRequest.postJson(session(sessionId, "/cmd"), body)
                        .accepting(SESSION_STOPPED, SESSION_BUSY)
                        .timeout(timeout),
                reader);
    }

    /** {@code POST S/fs/write}: a gzipped tar extracted under {@code extractDir}. Repeatable. */
    VendorResponse writeFiles(String sessionId, String extractDir, byte[] tarGz) {
        return http.send(VendorRequest.withBody("POST", session(sessionId, "/fs/write"), "application/gzip", tarGz)
                .header("x-cwd", extractDir)
                .retryable()
                .accepting(SESSION_STOPPED, SESSION_BUSY));
    }

    /** {@code POST S/fs/read}: the file's bytes, or 404 when there is none. Repeatable. */
    <T> T readFile(String sessionId, byte[] body, VendorHttp.HeadersStreamReader<T> reader) {
        return http.streamWithHeaders(
                VendorRequest.postJson(session(sessionId, "/fs/read"), body)
                        .retryable()
                        .accepting(404, SESSION_STOPPED, SESSION_BUSY),
                reader);
    }

    /** {@code POST S/snapshot}; stops the session. Never repeated — it would take two snapshots. */
    VendorResponse snapshot(String sessionId, byte[] body) {
        return http.send(
                VendorRequest.postJson(session(sessionId, "/snapshot"), body).accepting(SESSION_STOPPED, SESSION_BUSY));
    }

    /** {@code DELETE /v2/sandboxes/snapshots/{id}}; deleting one that is gone is fine. */
    void deleteSnapshot(String snapshotId) {
        http.send(VendorRequest.delete(uri("/v2/sandboxes/snapshots/" + segment(snapshotId), Map.of()))
                .accepting(404, 410));
    }

    private URI session(String sessionId, String operation) {
        return uri("/v2/sandboxes/sessions/" + segment(sessionId) + operation, Map.of());
    }

    private URI uri(String path, Map<String, String> query) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("teamId", teamId);
        all.putAll(query);
        String encoded = all.entrySet().stream()
                .map(entry -> encode(entry.getKey()) + "=" + encode(entry.getValue()))
                .collect(Collectors.joining("&"));
        return URI.create(base + path + "?" + encoded);
    }

    private static String segment(String value) {
        return encode(value).replace("+", "%20");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
