package dev.perimeter.connector.anthropic;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import dev.perimeter.connector.anthropic.FakeWorkQueue.Work;
import java.net.URI;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** One request to the fake work queue: checked as the real API checks it, then answered in its format. */
final class FakeRoutes {

    static final String BETA = "managed-agents-2026-04-01";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern WORK = Pattern.compile("/v1/environments/([^/]+)/work(?:/([^/]+))?(?:/([a-z]+))?");

    private final FakeWorkQueue queue;
    private final FakeTunnels tunnels;

    FakeRoutes(FakeWorkQueue queue, FakeTunnels tunnels) {
        this.queue = queue;
        this.tunnels = tunnels;
    }

    ResponseDefinition route(Request request) {
        URI uri = URI.create(request.getUrl());
        if (uri.getPath().startsWith("/v1/tunnels")) {
            return tunnels.route(request);
        }
        Matcher path = WORK.matcher(uri.getPath());
        if (!path.matches()) {
            return error(404, "not_found_error", "Not found");
        }
        String environmentId = path.group(1);
        Optional<ResponseDefinition> refused = refuseHeaders(request, environmentId);
        if (refused.isPresent()) {
            queue.refused(uri.getPath());
            return refused.get();
        }
        String method = request.getMethod().getName();
        String second = path.group(2);
        String action = path.group(3);
        if (second == null) {
            return method.equals("GET") ? list(request, environmentId) : error(405, "invalid_request_error", "Method");
        }
        if (second.equals("poll") && action == null && method.equals("GET")) {
            return poll(request, environmentId);
        }
        if (second.equals("stats")) {
            return error(404, "not_found_error", "Not faked");
        }
        Work item = queue.get(environmentId, second);
        if (item == null) {
            return error(404, "not_found_error", "Work item not found");
        }
        if (action == null) {
            return method.equals("GET") ? ok(work(item)) : error(405, "invalid_request_error", "Method");
        }
        if (!method.equals("POST")) {
            return error(405, "invalid_request_error", "Method");
        }
        return switch (action) {
            case "ack" ->
                queue.ack(item) ? ok(work(item)) : error(409, "invalid_request_error", "Work is " + item.state);
            case "heartbeat" -> heartbeat(request, item);
            case "stop" -> stop(request, item);
            default -> error(404, "not_found_error", "Not found");
        };
    }

    private Optional<ResponseDefinition> refuseHeaders(Request request, String environmentId) {
        String version = request.getHeader("anthropic-version");
        if (version == null || !version.matches("\\d{4}-\\d{2}-\\d{2}")) {
            return Optional.of(error(400, "invalid_request_error", "anthropic-version: header is required"));
        }
        HttpHeader betas = request.getHeaders().getHeader("anthropic-beta");
        boolean beta = betas.isPresent()
                && betas.values().stream()
                        .flatMap(value -> Arrays.stream(value.split(",")))
                        .map(String::strip)
                        .anyMatch(BETA::equals);
        if (!beta) {
            return Optional.of(error(400, "invalid_request_error", "This endpoint requires the " + BETA + " beta"));
        }
        if (request.containsHeader("x-api-key")) {
            return Optional.of(
                    error(401, "authentication_error", "This endpoint takes the environment key, not an API key"));
        }
        String expected = queue.keyOf(environmentId);
        String authorization = request.getHeader("Authorization");
        if (expected == null || authorization == null || !authorization.equals("Bearer " + expected)) {
            return Optional.of(error(401, "authentication_error", "invalid environment key"));
        }
        return Optional.empty();
    }

    private ResponseDefinition poll(Request request, String environmentId) {
        Optional<Long> block = longParam(request, "block_ms");
        if (block.isPresent() && (block.get() < 1 || block.get() > 999)) {
            return error(400, "invalid_request_error", "block_ms: must be between 1 and 999");
        }
        long reclaim = longParam(request, "reclaim_older_than_ms").orElse(FakeWorkQueue.DEFAULT_RECLAIM_MS);
        if (reclaim < 0) {
            return error(400, "invalid_request_error", "reclaim_older_than_ms: must not be negative");
        }
        // An empty queue answers 200 with JSON null at once: the fake does not hold the connection for block_ms.
        return queue.poll(environmentId, reclaim).map(item -> ok(work(item))).orElseGet(() -> ok(JSON.nullNode()));
    }

    private ResponseDefinition heartbeat(Request request, Work item) {
        String expected = stringParam(request, "expected_last_heartbeat").orElse(FakeWorkQueue.NO_HEARTBEAT);
        long ttl = longParam(request, "desired_ttl_seconds").orElse(60L);
        if (!queue.heartbeat(item, expected)) {
            ObjectNode body = JSON.createObjectNode().put("type", "error");
            ObjectNode error = body.putObject("error")
                    .put("type", "invalid_request_error")
                    .put("message", "expected_last_heartbeat does not match");
            ObjectNode details = error.putObject("details").put("error_code", "heartbeat_precondition_failed");
            details.set("current_state", lease(item, false, ttl));
            return json(412, body);
        }
        boolean extended = !item.state.equals("stopping") && !item.state.equals("stopped");
        return ok(lease(item, extended, ttl).put("type", "work_heartbeat"));
    }

    private ResponseDefinition stop(Request request, Work item) {
        boolean force = false;
        if (request.getBody().length > 0) {
            JsonNode body = JSON.readTree(request.getBodyAsString());
            if (!body.isObject() || (body.has("force") && !body.get("force").isBoolean())) {
                return error(400, "invalid_request_error", "force: must be a boolean");
            }
            force = body.path("force").asBoolean(false);
        }
        queue.stop(item, force);
        return ok(work(item));
    }

    private ResponseDefinition list(Request request, String environmentId) {
        long limit = longParam(request, "limit").orElse(20L);
        if (limit < 1 || limit > 1000) {
            return error(400, "invalid_request_error", "limit: must be between 1 and 1000");
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode data = body.putArray("data");
        queue.list(environmentId).stream().limit(limit).forEach(item -> data.add(work(item)));
        body.putNull("next_page");
        return ok(body);
    }

    private ObjectNode lease(Work item, boolean extended, long ttl) {
        ObjectNode lease = JSON.createObjectNode();
        lease.put("last_heartbeat", item.lastHeartbeat == null ? "" : item.lastHeartbeat);
        lease.put("lease_extended", extended);
        lease.put("state", item.state);
        lease.put("ttl_seconds", ttl);
        return lease;
    }

    private static ObjectNode work(Work item) {
        ObjectNode work = JSON.createObjectNode();
        work.put("type", "work");
        work.put("id", item.id);
        work.put("environment_id", item.environmentId);
        work.putObject("data").put("type", "session").put("id", item.sessionId);
        work.put("state", item.state);
        work.put("created_at", item.createdAt.toString());
        putTime(work, "acknowledged_at", item.acknowledgedAt);
        putTime(work, "started_at", item.startedAt);
        if (item.lastHeartbeat == null) {
            work.putNull("latest_heartbeat_at");
        } else {
            work.put("latest_heartbeat_at", item.lastHeartbeat);
        }
        putTime(work, "stop_requested_at", item.stopRequestedAt);
        putTime(work, "stopped_at", item.stoppedAt);
        work.putObject("metadata");
        work.putNull("secret");
        return work;
    }

    private static void putTime(
            ObjectNode node, String field, java.time.@org.jspecify.annotations.Nullable Instant at) {
        if (at == null) {
            node.putNull(field);
        } else {
            node.put(field, at.toString());
        }
    }

    private static Optional<String> stringParam(Request request, String name) {
        QueryParameter parameter = request.queryParameter(name);
        return parameter.isPresent() ? Optional.of(parameter.firstValue()) : Optional.empty();
    }

    private static Optional<Long> longParam(Request request, String name) {
        try {
            return stringParam(request, name).map(Long::parseLong);
        } catch (NumberFormatException e) {
            return Optional.of(-1L);
        }
    }

    private static ResponseDefinition ok(JsonNode body) {
        return json(200, body);
    }

    private static ResponseDefinition json(int status, JsonNode body) {
        return new ResponseDefinitionBuilder()
                .withStatus(status)
                .withHeaders(new HttpHeaders(
                        new HttpHeader("Content-Type", "application/json"), new HttpHeader("request-id", "req_fake")))
                .withBody(JSON.writeValueAsString(body))
                .build();
    }

    static ResponseDefinition error(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return json(status, body);
    }
}
