package dev.perimeter.provider.vercel;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP face of the fake Vercel Sandbox API: checks what every call must carry (Bearer token, {@code ?teamId=},
 * only the query parameters the endpoint takes, a JSON content type on JSON bodies), routes by method and path to
 * {@link FakeVercelState}, and answers refusals in Vercel's error shape. Stubs that name the {@value #NAME} transformer
 * get their answer from here, with their own delay kept (so a test can make the fake act and answer late).
 */
final class FakeVercelApi implements ResponseDefinitionTransformerV2 {

    static final String NAME = "vercel-sandbox";

    private final FakeVercelState state;
    private final String token;
    private final String teamId;

    FakeVercelApi(FakeVercelState state, String token, String teamId) {
        this.state = state;
        this.token = token;
        this.teamId = teamId;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        ResponseDefinitionBuilder answer =
                ResponseDefinitionBuilder.like(event.getResponseDefinition()).but();
        try {
            Reply reply = handle(event.getRequest());
            return answer.withStatus(reply.status())
                    .withHeader("Content-Type", reply.contentType())
                    .withBody(reply.body())
                    .build();
        } catch (VercelError error) {
            ObjectNode body = StrictJson.JSON.createObjectNode();
            body.putObject("error").put("code", error.code).put("message", error.getMessage());
            return answer.withStatus(error.status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(StrictJson.JSON.writeValueAsBytes(body))
                    .build();
        }
    }

    /** An answer: status, content type and body. */
    record Reply(int status, String contentType, byte[] body) {

        static Reply json(JsonNode body) {
            return new Reply(200, "application/json", StrictJson.JSON.writeValueAsBytes(body));
        }
    }

    private Reply handle(Request request) {
        URI uri = URI.create(request.getUrl());
        Map<String, String> query = query(uri.getRawQuery());
        authorize(request, query);
        String method = request.getMethod().getName();
        List<String> path = List.of(uri.getPath().replaceFirst("^/", "").split("/"));
        if (path.size() < 2 || !path.get(1).equals("sandboxes")) {
            throw VercelError.notFound("No route for " + method + " " + uri.getPath());
        }
        String version = path.get(0);
        List<String> rest = path.subList(2, path.size());
        if (version.equals("v3") && rest.isEmpty() && method.equals("POST")) {
            only(query, Set.of());
            return state.create(json(request));
        }
        if (!version.equals("v2")) {
            throw VercelError.notFound("No route for " + method + " " + uri.getPath());
        }
        if (rest.isEmpty() && method.equals("GET")) {
            only(query, Set.of("project", "limit", "cursor", "tags", "namePrefix", "sortBy", "sortOrder"));
            return state.list(required(query, "project"), query.get("tags"), query.get("cursor"), query.get("limit"));
        }
        if (!rest.isEmpty() && rest.get(0).equals("sessions") && rest.size() >= 3) {
            only(query, Set.of());
            return session(request, method, rest.get(1), rest.subList(2, rest.size()));
        }
        if (rest.size() == 2 && rest.get(0).equals("snapshots")) {
            only(query, Set.of());
            return switch (method) {
                case "GET" -> state.getSnapshot(rest.get(1));
                case "DELETE" -> state.deleteSnapshot(rest.get(1));
                default -> throw VercelError.notFound("No route for " + method + " " + uri.getPath());
            };
        }
        if (rest.size() == 1) {
            String name = URLDecoder.decode(rest.get(0), StandardCharsets.UTF_8);
            switch (method) {
                case "GET" -> {
                    only(query, Set.of("projectId", "resume"));
                    return state.get(name, required(query, "projectId"), "true".equals(query.get("resume")));
                }
                case "DELETE" -> {
                    only(query, Set.of("projectId"));
                    return state.delete(name, required(query, "projectId"));
                }
                default -> {}
            }
        }
        throw VercelError.notFound("No route for " + method + " " + uri.getPath());
    }

    private Reply session(Request request, String method, String sessionId, List<String> operation) {
        String op = String.join("/", operation);
        if (!method.equals("POST")) {
            throw VercelError.notFound("No route for " + method + " session " + op);
        }
        return switch (op) {
            case "cmd" -> state.command(sessionId, json(request));
            case "fs/read" -> state.readFile(sessionId, json(request));
            case "fs/write" -> {
                if (!"application/gzip".equals(contentType(request))) {
                    throw VercelError.badRequest("fs/write takes a gzipped tar (content-type: application/gzip)");
                }
                String cwd = request.getHeader("x-cwd");
                if (cwd == null || !cwd.startsWith("/")) {
                    throw VercelError.badRequest("fs/write needs an absolute x-cwd header");
                }
                yield state.writeFiles(sessionId, cwd, request.getBody());
            }
            case "snapshot" -> state.snapshot(sessionId, request.getBody().length == 0 ? null : json(request));
            case "stop" -> state.stop(sessionId);
            default -> throw VercelError.notFound("No route for POST session " + op);
        };
    }

    private void authorize(Request request, Map<String, String> query) {
        String authorization = request.getHeader("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw new VercelError(403, "forbidden", "The request is missing an authentication token");
        }
        if (!authorization.equals("Bearer " + token)) {
            throw new VercelError(403, "forbidden", "Not authorized");
        }
        String team = query.get("teamId");
        if (team == null || team.isBlank()) {
            throw VercelError.badRequest("Invalid request: missing required query parameter `teamId`");
        }
        if (!team.equals(teamId)) {
            throw new VercelError(403, "forbidden", "You don't have permission to access this team");
        }
    }

    private static JsonNode json(Request request) {
        if (request.getBody().length > 0 && !"application/json".equals(contentType(request))) {
            throw VercelError.badRequest("Invalid request: the body must be sent as application/json");
        }
        return StrictJson.parse(request.getBody());
    }

    private static String contentType(Request request) {
        String value = request.getHeader("Content-Type");
        return value == null ? "" : value.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
    }

    private static void only(Map<String, String> query, Set<String> allowed) {
        for (String name : query.keySet()) {
            if (!name.equals("teamId") && !allowed.contains(name)) {
                throw VercelError.badRequest("Invalid request: unexpected query parameter `" + name + "`");
            }
        }
    }

    private static String required(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null || value.isBlank()) {
            throw VercelError.badRequest("Invalid request: missing required query parameter `" + name + "`");
        }
        return value;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.put(name, value);
        }
        return query;
    }
}
