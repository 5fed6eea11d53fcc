package dev.perimeter.connector.anthropic;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Anthropic's Tunnels API ({@code /v1/tunnels}, research preview) as the SDK documents it: create, retrieve, list,
 * archive, reveal_token and certificates. Refuses what the real API refuses: no {@code anthropic-version}, no
 * {@code mcp-tunnels-2026-06-22} beta, or not authenticated with the organization key as {@code x-api-key}. Tests can
 * make the next calls fail ({@link #failNext}) to see Perimeter's answer.
 */
public final class FakeTunnels {

    /** The beta every tunnels call must carry. */
    public static final String BETA = "mcp-tunnels-2026-06-22";

    /** The organization API key the fake accepts. */
    public static final String API_KEY = "sk-ant-api03-tunnels-test-0123456789";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern PATH =
            Pattern.compile("/v1/tunnels(?:/([^/]+))?(?:/(archive|reveal_token|rotate_token|certificates))?");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, ObjectNode> tunnels = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, List<ObjectNode>> certificates = new ConcurrentHashMap<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();

    /** A failure the next matching call meets: an HTTP status, or a delay longer than the client waits. */
    public record Failure(String method, String pathSuffix, int status, long delayMillis) {}

    FakeTunnels() {}

    /** Makes the next {@code method} call whose path ends with {@code pathSuffix} answer {@code status}. */
    public void failNext(String method, String pathSuffix, int status) {
        failures.add(new Failure(method, pathSuffix, status, 0));
    }

    /** Makes the next matching call answer only after {@code delayMillis}. */
    public void delayNext(String method, String pathSuffix, long delayMillis) {
        failures.add(new Failure(method, pathSuffix, 200, delayMillis));
    }

    /** Drops failures no call met. */
    public void clearFailures() {
        failures.clear();
    }

    /** The tunnel as the fake holds it, or {@code null}. */
    public @Nullable JsonNode tunnel(String id) {
        return tunnels.get(id);
    }

    /** Every tunnel the fake holds, archived or not. */
    public List<JsonNode> all() {
        return List.copyOf(tunnels.values());
    }

    /** The connector token of a tunnel, as Anthropic would reveal it. */
    public String tokenOf(String id) {
        return tokens.get(id);
    }

    /** The certificates registered on a tunnel. */
    public List<JsonNode> certificatesOf(String id) {
        return List.copyOf(certificates.getOrDefault(id, List.of()));
    }

    /** Paths refused for their headers. */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    ResponseDefinition route(Request request) {
        URI uri = URI.create(request.getUrl());
        Matcher path = PATH.matcher(uri.getPath());
        if (!path.matches()) {
            return FakeRoutes.error(404, "not_found_error", "Not found");
        }
        String refusal = refusal(request);
        if (refusal != null) {
            refusals.add(uri.getPath() + ": " + refusal);
            return FakeRoutes.error(
                    refusal.startsWith("auth") ? 401 : 400,
                    refusal.startsWith("auth") ? "authentication_error" : "invalid_request_error",
                    refusal);
        }
        String method = request.getMethod().getName();
        Failure failure = takeFailure(method, uri.getPath());
        ResponseDefinition answer = failure != null && failure.status() != 200
                ? FakeRoutes.error(
                        failure.status(), failure.status() == 429 ? "rate_limit_error" : "api_error", "injected")
                : answer(request, method, path.group(1), path.group(2));
        if (failure != null && failure.delayMillis() > 0) {
            return ResponseDefinitionBuilder.like(answer)
                    .withFixedDelay((int) failure.delayMillis())
                    .build();
        }
        return answer;
    }

    private @Nullable Failure takeFailure(String method, String path) {
        for (Failure failure : failures) {
            if (failure.method().equals(method) && path.endsWith(failure.pathSuffix()) && failures.remove(failure)) {
                return failure;
            }
        }
        return null;
    }

    private static @Nullable String refusal(Request request) {
        String version = request.getHeader("anthropic-version");
        if (version == null || !version.matches("\\d{4}-\\d{2}-\\d{2}")) {
            return "anthropic-version: header is required";
        }
        String beta = request.getHeader("anthropic-beta");
        if (beta == null || !List.of(beta.split("\\s*,\\s*")).contains(BETA)) {
            return "This endpoint requires the " + BETA + " beta";
        }
        // SDK 3.14.0 sends the API key of these beta endpoints as a bearer token; the fake takes either form.
        boolean key = API_KEY.equals(request.getHeader("x-api-key"))
                || ("Bearer " + API_KEY).equals(request.getHeader("authorization"));
        if (!key) {
            return "authentication_error: invalid API key";
        }
        return null;
    }

    private ResponseDefinition answer(Request request, String method, @Nullable String id, @Nullable String action) {
        if (id == null) {
            if (method.equals("POST")) {
                return ok(create(body(request)));
            }
            if (method.equals("GET")) {
                ObjectNode page = JSON.createObjectNode();
                page.putArray("data").addAll(new ArrayList<>(tunnels.values()));
                page.putNull("next_page");
                return ok(page);
            }
            return FakeRoutes.error(405, "invalid_request_error", "Method");
        }
        ObjectNode tunnel = tunnels.get(id);
        if (tunnel == null) {
            return FakeRoutes.error(404, "not_found_error", "Tunnel not found");
        }
        if (action == null) {
            return method.equals("GET") ? ok(tunnel) : FakeRoutes.error(405, "invalid_request_error", "Method");
        }
        if (!method.equals("POST")) {
            return FakeRoutes.error(405, "invalid_request_error", "Method");
        }
        return switch (action) {
            case "archive" -> {
                if (tunnel.get("archived_at").isNull()) {
                    tunnel.put("archived_at", Instant.now().toString());
                    certificatesOfTunnel(id)
                            .forEach(c -> c.put("archived_at", Instant.now().toString()));
                    tokens.put(id, "revoked");
                }
                yield ok(tunnel);
            }
            case "reveal_token" -> {
                if (!tunnel.get("archived_at").isNull()) {
                    yield FakeRoutes.error(409, "invalid_request_error", "Tunnel is archived");
                }
                yield ok(JSON.createObjectNode()
                        .put("type", "tunnel_token")
                        .put("id", "ttok_" + random(8))
                        .put("tunnel_token", tokens.get(id)));
            }
            case "certificates" -> certificate(id, body(request));
            default -> FakeRoutes.error(404, "not_found_error", "Not faked");
        };
    }

    private ObjectNode create(JsonNode body) {
        String id = "tnl_" + random(12);
        ObjectNode tunnel = JSON.createObjectNode()
                .put("type", "tunnel")
                .put("id", id)
                .putNull("archived_at")
                .put("created_at", Instant.now().toString())
                .put("domain", random(8) + ".tunnel.anthropic.com");
        JsonNode name = body.get("display_name");
        if (name == null || name.isNull()) {
            tunnel.putNull("display_name");
        } else {
            tunnel.put("display_name", name.asString());
        }
        tokens.put(id, "eyJhIjoiZmFrZS10dW5uZWwtdG9rZW4" + random(24));
        tunnels.put(id, tunnel);
        return tunnel;
    }

    private ResponseDefinition certificate(String tunnelId, JsonNode body) {
        JsonNode pem = body.get("ca_certificate_pem");
        if (pem == null || !pem.asString().startsWith("-----BEGIN CERTIFICATE-----")) {
            return FakeRoutes.error(400, "invalid_request_error", "ca_certificate_pem: must be a PEM certificate");
        }
        List<ObjectNode> held = certificatesOfTunnel(tunnelId);
        if (held.stream().filter(c -> c.get("archived_at").isNull()).count() >= 2) {
            return FakeRoutes.error(409, "invalid_request_error", "A tunnel holds at most two certificates");
        }
        ObjectNode certificate = JSON.createObjectNode()
                .put("type", "tunnel_certificate")
                .put("id", "tcrt_" + random(12))
                .putNull("archived_at")
                .put("created_at", Instant.now().toString())
                .putNull("expires_at")
                .put("fingerprint", random(32))
                .put("tunnel_id", tunnelId);
        held.add(certificate);
        return ok(certificate);
    }

    private List<ObjectNode> certificatesOfTunnel(String tunnelId) {
        return certificates.computeIfAbsent(tunnelId, id -> new CopyOnWriteArrayList<>());
    }

    private static JsonNode body(Request request) {
        String text = request.getBodyAsString();
        return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    }

    private static ResponseDefinition ok(JsonNode body) {
        return new ResponseDefinitionBuilder()
                .withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(JSON.writeValueAsString(body))
                .build();
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value).substring(0, bytes);
    }
}
