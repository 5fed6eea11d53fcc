package dev.perimeter.provider.daytona;

import static dev.perimeter.provider.daytona.FakeResponses.JSON;
import static dev.perimeter.provider.daytona.FakeResponses.error;
import static dev.perimeter.provider.daytona.FakeResponses.json;

import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import dev.perimeter.provider.daytona.FakeDaytonaState.FakeSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * One sandbox's toolbox ({@code daytona-toolbox.openapi.yaml}): {@code process/execute} runs the command on this host
 * in the sandbox's directory the way Daytona's daemon does — the command string split on spaces outside quotes, stdout
 * and stderr combined into {@code result}, no stdin, {@code timeout} in seconds (default 10) after which the process
 * tree is killed and the answer is 408 — and {@code files/upload} / {@code files/download} read and write its files.
 */
final class FakeToolbox {

    private static final Set<String> EXECUTE_FIELDS = Set.of("command", "cwd", "envs", "timeout");

    private final FakeSandbox sandbox;

    FakeToolbox(FakeSandbox sandbox) {
        this.sandbox = sandbox;
    }

    ResponseDefinition route(String method, String path, Map<String, String> query, Request request) {
        return switch (method + " " + path) {
            case "POST /process/execute" -> execute(request);
            case "POST /files/upload" -> upload(query, request);
            case "GET /files/download" -> download(query);
            default -> error(404, "Not Found", "404 page not found");
        };
    }

    private ResponseDefinition execute(Request request) {
        if (!FakeRoutes.isJson(request)) {
            return error(400, "Bad Request", "command is required");
        }
        JsonNode body = JSON.readTree(request.getBody());
        for (String field : body.propertyNames()) {
            if (!EXECUTE_FIELDS.contains(field)) {
                return error(400, "Bad Request", "unknown field " + field);
            }
        }
        List<String> argv = split(body.path("command").asString(""));
        if (argv.isEmpty()) {
            return error(400, "Bad Request", "empty command");
        }
        long timeout = body.path("timeout").asLong(0) > 0 ? body.path("timeout").asLong() : 10;
        Path dir =
                body.hasNonNull("cwd") ? sandbox.resolve(body.get("cwd").asString()) : sandbox.resolve("/home/daytona");
        if (!Files.isDirectory(dir)) {
            return json(200, JSON.createObjectNode().put("exitCode", -1).put("result", ""));
        }
        ProcessBuilder builder =
                new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", sandbox.resolve("/home/daytona").toString());
        env.putAll(sandbox.env);
        body.path("envs")
                .properties()
                .forEach(e -> env.put(e.getKey(), e.getValue().asString()));
        try {
            Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            CompletableFuture<byte[]> output =
                    CompletableFuture.supplyAsync(() -> readAll(process), Thread::startVirtualThread);
            if (!process.waitFor(timeout, TimeUnit.SECONDS)) {
                killTree(process);
                return error(408, "Request Timeout", "command execution timeout");
            }
            String result = new String(output.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            return json(
                    200,
                    JSON.createObjectNode().put("exitCode", process.exitValue()).put("result", result));
        } catch (IOException e) {
            return json(200, JSON.createObjectNode().put("exitCode", -1).put("result", ""));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private ResponseDefinition upload(Map<String, String> query, Request request) {
        String path = query.getOrDefault("path", "");
        if (path.isEmpty()) {
            return error(400, "Bad Request", "path is required");
        }
        String type = request.getHeader("Content-Type");
        if (type == null || !type.startsWith("multipart/form-data") || !request.isMultipart()) {
            return error(400, "Bad Request", "request Content-Type isn't multipart/form-data");
        }
        Request.Part file = request.getPart("file");
        if (file == null) {
            return error(400, "Bad Request", "http: no such file");
        }
        Path target = sandbox.resolve(path);
        try {
            Files.createDirectories(target.getParent());
            Files.write(target, file.getBody().asBytes());
        } catch (IOException e) {
            return error(400, "Bad Request", e.getMessage());
        }
        return FakeResponses.empty(200);
    }

    private ResponseDefinition download(Map<String, String> query) {
        String path = query.getOrDefault("path", "");
        if (path.isEmpty()) {
            return error(400, "Bad Request", "path is required");
        }
        Path source = sandbox.resolve(path);
        if (!Files.exists(source)) {
            return error(404, "Not Found", "stat " + path + ": no such file or directory");
        }
        if (Files.isDirectory(source)) {
            return error(400, "Bad Request", "path must be a file");
        }
        try {
            return FakeResponses.bytes(Files.readAllBytes(source));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The daemon's split: on spaces outside single or double quotes, the quotes dropped. */
    static List<String> split(String command) {
        List<String> args = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (char c : command.toCharArray()) {
            if ((c == '"' || c == '\'') && (quote == 0 || quote == c)) {
                quote = quote == 0 ? c : 0;
            } else if (c == ' ' && quote == 0) {
                if (!current.isEmpty()) {
                    args.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            args.add(current.toString());
        }
        return args;
    }

    private static byte[] readAll(Process process) {
        try (var in = process.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
