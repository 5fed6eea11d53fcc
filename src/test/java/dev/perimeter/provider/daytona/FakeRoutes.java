package dev.perimeter.provider.daytona;

import static dev.perimeter.provider.daytona.FakeResponses.JSON;
import static dev.perimeter.provider.daytona.FakeResponses.error;
import static dev.perimeter.provider.daytona.FakeResponses.json;

import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import dev.perimeter.provider.daytona.FakeDaytonaState.FakeSandbox;
import dev.perimeter.provider.daytona.FakeDaytonaState.FakeSnapshot;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** One request to the fake, routed to what Daytona's API or a sandbox's toolbox would do. */
final class FakeRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of(
            "name",
            "snapshot",
            "user",
            "env",
            "labels",
            "public",
            "networkBlockAll",
            "networkAllowList",
            "domainAllowList",
            "target",
            "cpu",
            "gpu",
            "gpuType",
            "memory",
            "disk",
            "autoStopInterval",
            "autoArchiveInterval",
            "autoDeleteInterval",
            "volumes",
            "buildInfo",
            "linkedSandbox");
    private static final Set<String> REGIONS = Set.of("us", "eu");
    private static final Pattern SANDBOX = Pattern.compile("/api/sandbox/([^/]+)");
    private static final Pattern SANDBOX_SNAPSHOT = Pattern.compile("/api/sandbox/([^/]+)/snapshot");
    private static final Pattern SNAPSHOT = Pattern.compile("/api/snapshots/([^/]+)");
    private static final Pattern TOOLBOX = Pattern.compile("/toolbox/([^/]+)(/.*)");

    private final FakeDaytonaState state;

    FakeRoutes(FakeDaytonaState state) {
        this.state = state;
    }

    ResponseDefinition route(Request request) {
        String method = request.getMethod().getName();
        String url = request.getUrl();
        int q = url.indexOf('?');
        String path = q < 0 ? url : url.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : url.substring(q + 1));
        Matcher m;
        try {
            if (path.equals("/api/sandbox") && method.equals("POST")) {
                return create(request);
            }
            if (path.equals("/api/sandbox") && method.equals("GET")) {
                return list(query);
            }
            if ((m = SANDBOX_SNAPSHOT.matcher(path)).matches() && method.equals("POST")) {
                return snapshot(decode(m.group(1)), request);
            }
            if ((m = SANDBOX.matcher(path)).matches()) {
                String idOrName = decode(m.group(1));
                if (method.equals("GET")) {
                    return state.find(idOrName)
                            .map(this::advance)
                            .map(s -> json(200, s.json()))
                            .orElseGet(() -> notFound("Sandbox with ID or name " + idOrName + " not found"));
                }
                if (method.equals("DELETE")) {
                    Optional<FakeSandbox> sandbox = state.find(idOrName).filter(s -> !s.state.equals("destroyed"));
                    if (sandbox.isEmpty()) {
                        return notFound("Sandbox with ID or name " + idOrName + " not found");
                    }
                    state.destroy(sandbox.get());
                    return json(200, sandbox.get().json());
                }
            }
            if ((m = SNAPSHOT.matcher(path)).matches()) {
                String idOrName = decode(m.group(1));
                if (method.equals("GET")) {
                    return state.snapshotByIdOrName(idOrName)
                            .map(s -> json(200, snapshotJson(s, true)))
                            .orElseGet(() -> notFound("Snapshot " + idOrName + " not found"));
                }
                if (method.equals("DELETE")) {
                    Optional<FakeSnapshot> snapshot = state.snapshotById(idOrName);
                    if (snapshot.isEmpty()) {
                        return notFound("Snapshot with ID " + idOrName + " not found");
                    }
                    state.deleteSnapshot(snapshot.get());
                    return FakeResponses.empty(200);
                }
            }
            if ((m = TOOLBOX.matcher(path)).matches()) {
                String id = decode(m.group(1));
                Optional<FakeSandbox> sandbox =
                        state.find(id).filter(s -> s.id.equals(id)).filter(s -> s.state.equals("started"));
                if (sandbox.isEmpty()) {
                    return notFound("sandbox " + id + " is not running");
                }
                return new FakeToolbox(sandbox.get()).route(method, m.group(2), query, request);
            }
        } catch (JacksonException e) {
            return error(400, "Bad Request", "Invalid JSON body: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            return error(400, "Bad Request", e.getMessage());
        }
        return notFound("Cannot " + method + " " + path);
    }

    private ResponseDefinition create(Request request) {
        if (!isJson(request)) {
            return error(415, "Unsupported Media Type", "Content-Type must be application/json");
        }
        JsonNode body = JSON.readTree(request.getBody());
        if (!body.isObject()) {
            return error(400, "Bad Request", "Body must be a JSON object");
        }
        for (String field : body.propertyNames()) {
            if (!CREATE_FIELDS.contains(field)) {
                return error(400, "Bad Request", "property " + field + " should not exist");
            }
        }
        String name = body.path("name").asString("");
        if (name.isEmpty()) {
            return error(400, "Bad Request", "name is required by this fake: Perimeter always names its sandboxes");
        }
        if (state.liveByName(name).isPresent()) {
            return error(409, "Conflict", "Sandbox with name " + name + " already exists");
        }
        String target = body.path("target").asString("us");
        if (!REGIONS.contains(target)) {
            return error(400, "Bad Request", "Region " + target + " is not available");
        }
        int cpu = body.path("cpu").asInt(1);
        int memory = body.path("memory").asInt(1);
        int disk = body.path("disk").asInt(3);
        if (cpu < 1 || cpu > 4 || memory < 1 || memory > 8 || disk < 1 || disk > 10) {
            return error(
                    400,
                    "Bad Request",
                    "CPU request " + cpu + " exceeds maximum allowed per sandbox (4)"
                            + " or memory/disk outside 1-8 GB / 1-10 GB");
        }
        Optional<FakeSnapshot> from = Optional.empty();
        if (body.hasNonNull("snapshot")) {
            from = state.snapshotByIdOrName(body.get("snapshot").asString());
            if (from.isEmpty() || !from.get().state.equals("active")) {
                return notFound("Snapshot " + body.get("snapshot").asString() + " not found. Did you add it through"
                        + " the Daytona Dashboard?");
            }
        }
        Map<String, String> env = new HashMap<>();
        body.path("env")
                .properties()
                .forEach(e -> env.put(e.getKey(), e.getValue().asString()));
        ObjectNode sandbox = JSON.createObjectNode();
        sandbox.put("name", name)
                .put("organizationId", "org-fake")
                .put("target", target)
                .put("user", "daytona")
                .put("cpu", cpu)
                .put("gpu", 0)
                .put("memory", memory)
                .put("disk", disk)
                .put("public", false)
                .put("networkBlockAll", body.path("networkBlockAll").asBoolean(false))
                .put("toolboxProxyUrl", state.toolboxProxyUrl())
                .put("snapshot", from.map(s -> s.name).orElse("daytonaio/sandbox:latest"))
                .put("autoStopInterval", body.path("autoStopInterval").asInt(15))
                .put("autoDeleteInterval", body.path("autoDeleteInterval").asInt(-1))
                .put("createdAt", Instant.now().toString());
        sandbox.set("env", body.path("env").isObject() ? body.get("env") : JSON.createObjectNode());
        sandbox.set("labels", body.path("labels").isObject() ? body.get("labels") : JSON.createObjectNode());
        for (String field : List.of("networkAllowList", "domainAllowList")) {
            if (body.hasNonNull(field)) {
                sandbox.put(field, body.get(field).asString());
            }
        }
        FakeSandbox created = state.add(sandbox, env, from, body);
        return json(200, created.json());
    }

    private ResponseDefinition list(Map<String, String> query) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (query.containsKey("labels")) {
            JsonNode filter = JSON.readTree(query.get("labels"));
            if (!filter.isObject()) {
                return error(400, "Bad Request", "labels must be a JSON object");
            }
            filter.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
        }
        int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
        int from = Integer.parseInt(query.getOrDefault("cursor", "0"));
        List<FakeSandbox> matching = state.live().stream()
                .filter(s -> labels.entrySet().stream().allMatch(l -> l.getValue()
                        .equals(s.json().path("labels").path(l.getKey()).asString(null))))
                .toList();
        ArrayNode items = JSON.createArrayNode();
        matching.stream().skip(from).limit(limit).forEach(s -> items.add(s.json()));
        ObjectNode page = JSON.createObjectNode();
        page.set("items", items);
        if (from + limit < matching.size()) {
            page.put("nextCursor", Integer.toString(from + limit));
        } else {
            page.putNull("nextCursor");
        }
        return json(200, page);
    }

    private ResponseDefinition snapshot(String idOrName, Request request) {
        if (!isJson(request)) {
            return error(415, "Unsupported Media Type", "Content-Type must be application/json");
        }
        Optional<FakeSandbox> sandbox = state.find(idOrName).filter(s -> !s.state.equals("destroyed"));
        if (sandbox.isEmpty()) {
            return notFound("Sandbox with ID or name " + idOrName + " not found");
        }
        JsonNode body = JSON.readTree(request.getBody());
        String name = body.path("name").asString("");
        if (name.isEmpty()) {
            return error(400, "Bad Request", "name should not be empty");
        }
        if (body.path("includeMemory").asBoolean(false)) {
            return error(400, "Bad Request", "Container sandboxes do not support memory snapshots");
        }
        if (state.snapshotByIdOrName(name).isPresent()) {
            return error(409, "Conflict", "Snapshot with name " + name + " already exists");
        }
        if (!sandbox.get().state.equals("started")) {
            return error(400, "Bad Request", "Sandbox is not started");
        }
        state.snapshot(sandbox.get(), name);
        sandbox.get().state = "snapshotting";
        return json(200, sandbox.get().json());
    }

    /** Daytona works in the background; here each look moves a sandbox one step on. */
    private FakeSandbox advance(FakeSandbox sandbox) {
        if (sandbox.state.equals("creating") || sandbox.state.equals("snapshotting")) {
            sandbox.state = "started";
        }
        return sandbox;
    }

    private ObjectNode snapshotJson(FakeSnapshot snapshot, boolean look) {
        if (look && snapshot.state.equals("pending")) {
            // returned as pending once, active from the next look on
            ObjectNode pending = snapshotBody(snapshot);
            snapshot.state = "active";
            return pending;
        }
        return snapshotBody(snapshot);
    }

    private static ObjectNode snapshotBody(FakeSnapshot snapshot) {
        String now = Instant.now().toString();
        ObjectNode json = JSON.createObjectNode()
                .put("id", snapshot.id)
                .put("name", snapshot.name)
                .put("organizationId", "org-fake")
                .put("general", false)
                .put("state", snapshot.state)
                .put("size", snapshot.sizeBytes / (1024.0 * 1024 * 1024))
                .put("cpu", 1)
                .put("gpu", 0)
                .put("mem", 1)
                .put("disk", 3)
                .put("createdAt", now)
                .put("updatedAt", now);
        json.putNull("entrypoint");
        json.putNull("errorReason");
        json.putNull("lastUsedAt");
        return json;
    }

    private static ResponseDefinition notFound(String message) {
        return error(404, "Not Found", message);
    }

    static boolean isJson(Request request) {
        String type = request.getHeader("Content-Type");
        return type != null && type.toLowerCase().startsWith("application/json");
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            parameters.put(
                    URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }
}
