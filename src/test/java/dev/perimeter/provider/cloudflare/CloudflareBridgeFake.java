package dev.perimeter.provider.cloudflare;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stateful fake of Cloudflare's sandbox bridge Worker on WireMock, answering in the bridge's wire format (routes,
 * {@code {"error","code"}} bodies and statuses as in {@code packages/sandbox/src/bridge/routes.ts} and the HTTP API
 * reference). Each bridge sandbox name gets a temporary directory standing in for the container's {@code /workspace};
 * like the real bridge, any call on {@code /v1/sandbox/:id/*} binds a "container" to a name it has not seen, and {@code
 * DELETE} only looks up. Commands really run on this host (argv as given, with {@code /workspace} rewritten to the
 * sandbox's directory, standard input from {@code /dev/null}) and come back as a real event stream: base64 {@code
 * stdout}/{@code stderr} events, then {@code exit}, sent chunked and dribbled so events split across TCP writes.
 *
 * <p>It is stricter than the bridge where a mistake of ours would otherwise pass: it refuses unknown fields in the exec
 * body, a wrong content type on uploads, and any request without exactly the configured bearer token. Faults are
 * injected by tests as WireMock stubs at a higher priority (1) than the fake's own (10); stubs that should still reach
 * the fake use the transformer {@link #TRANSFORMER}.
 */
public final class CloudflareBridgeFake {

    public static final String TRANSFORMER = "cloudflare-bridge";
    static final int MAX_BODY = 32 * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ID = "[a-z2-7]{1,128}";
    private static final Set<String> EXEC_FIELDS = Set.of("argv", "timeout_ms", "cwd");

    private final String token;
    private final Path root;
    private final Map<String, Path> containers = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger primed = new AtomicInteger();
    private final WireMockServer server;

    public CloudflareBridgeFake(String token) {
        this.token = token;
        try {
            this.root = Files.createTempDirectory("cloudflare-bridge-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.server = new WireMockServer(wireMockConfig().dynamicPort().extensions(new Bridge()));
    }

    public CloudflareBridgeFake start() {
        server.start();
        server.stubFor(any(urlPathMatching("/v1/.*"))
                .atPriority(10)
                .willReturn(aResponse().withTransformers(TRANSFORMER)));
        server.stubFor(get(urlPathEqualTo("/health"))
                .atPriority(10)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":true}")));
        return this;
    }

    public void stop() {
        server.stop();
        containers.keySet().forEach(this::remove);
    }

    /** The WireMock server, for fault stubs and request verification. */
    public WireMockServer server() {
        return server;
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    /** Whether the bridge has a container bound to that sandbox name. */
    public boolean has(String bridgeId) {
        return containers.containsKey(bridgeId);
    }

    /** What the bridge does after a sandbox's container slept: the next call gets a fresh, empty container. */
    public void replaceContainer(String bridgeId) {
        remove(bridgeId);
        container(bridgeId);
    }

    /** Containers the fake started, ever. */
    public int containersStarted() {
        return started.get();
    }

    public int primeCalls() {
        return primed.get();
    }

    /** The bridge name Perimeter uses for a sandbox id. */
    public static String bridgeId(String sandboxId) {
        return BridgeIds.of(sandboxId);
    }

    private Path container(String id) {
        return containers.computeIfAbsent(id, name -> {
            started.incrementAndGet();
            try {
                return Files.createDirectories(root.resolve(name).resolve("workspace"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void remove(String id) {
        Path dir = containers.remove(id);
        if (dir != null) {
            deleteTree(dir.getParent());
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }

    private final class Bridge implements ResponseDefinitionTransformerV2 {

        @Override
        public String getName() {
            return TRANSFORMER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            ResponseDefinitionBuilder like = ResponseDefinitionBuilder.like(event.getResponseDefinition())
                    .but();
            try {
                return answer(event.getRequest(), like).build();
            } catch (RuntimeException | IOException e) {
                return error(like, 500, "fake bridge failed: " + e, "internal").build();
            }
        }

        private ResponseDefinitionBuilder answer(Request request, ResponseDefinitionBuilder out) throws IOException {
            String path = URI.create(request.getUrl()).getPath();
            String method = request.getMethod().getName();
            if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
                return error(out, 401, "Unauthorized", "unauthorized");
            }
            if (path.equals("/v1/sandbox") && method.equals("POST")) {
                return json(out, 200, Map.of("id", randomId()));
            }
            if (path.equals("/v1/pool/prime") && method.equals("POST")) {
                primed.incrementAndGet();
                return json(out, 200, Map.of("ok", true));
            }
            if (path.equals("/v1/pool/stats") && method.equals("GET")) {
                return json(
                        out,
                        200,
                        Map.of(
                                "warm", 0,
                                "assigned", containers.size(),
                                "total", containers.size(),
                                "config", Map.of("warmTarget", 2, "refreshInterval", 10000),
                                "maxInstances", 3));
            }
            if (!path.startsWith("/v1/sandbox/")) {
                return out.withStatus(404).withBody("404 Not Found");
            }
            String rest = path.substring("/v1/sandbox/".length());
            int slash = rest.indexOf('/');
            String id = slash < 0 ? rest : rest.substring(0, slash);
            String route = slash < 0 ? "" : rest.substring(slash + 1);
            if (!id.matches(ID)) {
                return error(out, 400, "Invalid sandbox ID format", "invalid_request");
            }
            if (route.isEmpty()) {
                if (!method.equals("DELETE")) {
                    return out.withStatus(404).withBody("404 Not Found");
                }
                remove(id);
                return out.withStatus(204);
            }
            Path workspace = container(id);
            if (route.equals("running") && method.equals("GET")) {
                return json(out, 200, Map.of("running", true));
            }
            if (route.equals("exec") && method.equals("POST")) {
                return exec(request, workspace, out);
            }
            if (route.startsWith("file/") || route.equals("file")) {
                return file(request, method, route.length() > 5 ? route.substring(5) : "", workspace, out);
            }
            if (route.equals("persist") && method.equals("POST")) {
                return persist(request, workspace, out);
            }
            if (route.equals("hydrate") && method.equals("POST")) {
                return hydrate(request, workspace, out);
            }
            return out.withStatus(404).withBody("404 Not Found");
        }

        private ResponseDefinitionBuilder exec(Request request, Path workspace, ResponseDefinitionBuilder out) {
            if (!String.valueOf(request.getHeader("Content-Type")).startsWith("application/json")) {
                return error(out, 400, "Invalid JSON body", "invalid_request");
            }
            JsonNode body;
            try {
                body = JSON.readTree(request.getBody());
            } catch (RuntimeException e) {
                return error(out, 400, "Invalid JSON body", "invalid_request");
            }
            for (String field : body.propertyNames()) {
                if (!EXEC_FIELDS.contains(field)) {
                    return error(out, 400, "unknown field '" + field + "' (fake is strict)", "invalid_request");
                }
            }
            JsonNode argv = body.get("argv");
            if (argv == null || !argv.isArray() || argv.isEmpty()) {
                return error(out, 400, "argv must be a non-empty array", "invalid_request");
            }
            List<String> command = new ArrayList<>();
            for (JsonNode arg : argv) {
                if (!arg.isString()) {
                    return error(out, 400, "argv must be an array of strings", "invalid_request");
                }
                command.add(arg.asString().replace("/workspace", workspace.toString()));
            }
            JsonNode timeout = body.get("timeout_ms");
            if (timeout != null && (!timeout.isIntegralNumber() || timeout.asLong() <= 0)) {
                return error(out, 400, "timeout_ms must be a positive integer (fake is strict)", "invalid_request");
            }
            Path cwd = workspace;
            JsonNode cwdNode = body.get("cwd");
            if (cwdNode != null) {
                Path resolved = inWorkspace(cwdNode.asString(), workspace);
                if (resolved == null) {
                    return error(out, 403, "cwd must resolve to a location within /workspace", "invalid_request");
                }
                cwd = resolved;
            }
            byte[] stream = FakeCommands.run(command, cwd, timeout == null ? 600_000 : timeout.asLong());
            return out.withStatus(200)
                    .withHeader("Content-Type", "text/event-stream")
                    .withHeader("Cache-Control", "no-cache")
                    .withBody(stream)
                    .withChunkedDribbleDelay(Math.max(1, Math.min(12, stream.length / 3)), 60);
        }

        private ResponseDefinitionBuilder file(
                Request request, String method, String relative, Path workspace, ResponseDefinitionBuilder out)
                throws IOException {
            if (relative.isEmpty()) {
                return error(out, 400, "file path must not be empty", "invalid_request");
            }
            Path file = inWorkspace("/" + relative, workspace);
            if (file == null) {
                return error(out, 403, "path must resolve to a location within /workspace", "invalid_request");
            }
            if (method.equals("GET")) {
                if (!Files.isRegularFile(file)) {
                    return error(out, 404, "File not found: /workspace/" + relative, "workspace_read_not_found");
                }
                return out.withStatus(200)
                        .withHeader("Content-Type", "application/octet-stream")
                        .withBody(Files.readAllBytes(file));
            }
            if (method.equals("PUT")) {
                if (!"application/octet-stream".equals(request.getHeader("Content-Type"))) {
                    return error(
                            out, 400, "uploads must be application/octet-stream (fake is strict)", "invalid_request");
                }
                byte[] body = request.getBody();
                if (body.length > MAX_BODY) {
                    return error(out, 413, "payload too large", "payload_too_large");
                }
                Files.createDirectories(file.getParent());
                Files.write(file, body);
                return json(out, 200, Map.of("ok", true));
            }
            return out.withStatus(404).withBody("404 Not Found");
        }

        private ResponseDefinitionBuilder persist(Request request, Path workspace, ResponseDefinitionBuilder out)
                throws IOException {
            List<String> tar = new ArrayList<>(List.of("tar", "cf", "-"));
            String excludes = request.queryParameter("excludes").isPresent()
                    ? request.queryParameter("excludes").firstValue()
                    : "";
            for (String exclude : excludes.split(",")) {
                if (exclude.contains("..")) {
                    return error(out, 400, "exclude paths must not contain \"..\"", "invalid_request");
                }
                if (!exclude.isEmpty()) {
                    tar.add("--exclude");
                    tar.add("./" + exclude.replaceFirst("^\\./", ""));
                }
            }
            tar.addAll(List.of("-C", workspace.toString(), "."));
            Process process = new ProcessBuilder(tar)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] archive = process.getInputStream().readAllBytes();
            try {
                if (process.waitFor() != 0) {
                    return error(out, 502, "tar failed", "workspace_archive_read_error");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return out.withStatus(200)
                    .withHeader("Content-Type", "application/octet-stream")
                    .withBody(archive);
        }

        private ResponseDefinitionBuilder hydrate(Request request, Path workspace, ResponseDefinitionBuilder out)
                throws IOException {
            byte[] tar = request.getBody();
            if (tar.length == 0) {
                return error(out, 400, "Empty tar payload", "invalid_request");
            }
            if (tar.length > MAX_BODY) {
                return error(out, 400, "tar payload too large", "invalid_request");
            }
            Path archive = Files.createTempFile(root, "hydrate-", ".tar");
            Files.write(archive, tar);
            try {
                Process process = new ProcessBuilder("tar", "xf", archive.toString(), "-C", workspace.toString())
                        .redirectErrorStream(true)
                        .start();
                String messages = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (process.waitFor() != 0) {
                    return error(out, 502, "tar extract failed: " + messages, "workspace_archive_write_error");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } finally {
                Files.deleteIfExists(archive);
            }
            return json(out, 200, Map.of("ok", true));
        }
    }

    /** The bridge's {@code resolveWorkspacePath}, mapped onto the sandbox's directory; null when outside. */
    private static Path inWorkspace(String absolute, Path workspace) {
        String path = absolute.startsWith("/") ? absolute : "/workspace/" + absolute;
        List<String> parts = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
            } else {
                parts.add(segment);
            }
        }
        if (parts.isEmpty() || !parts.getFirst().equals("workspace")) {
            return null;
        }
        Path resolved = workspace;
        for (String part : parts.subList(1, parts.size())) {
            resolved = resolved.resolve(part);
        }
        return resolved;
    }

    private static ResponseDefinitionBuilder json(ResponseDefinitionBuilder out, int status, Object body) {
        return out.withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(JSON.writeValueAsString(body));
    }

    static ResponseDefinitionBuilder error(ResponseDefinitionBuilder out, int status, String error, String code) {
        return json(out, status, Map.of("error", error, "code", code));
    }

    private static String randomId() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return BridgeIds.of(new String(bytes, StandardCharsets.ISO_8859_1)).substring(0, 26);
    }
}
