package dev.perimeter.provider.vercel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One named sandbox in the fake, with its current session. Its filesystem is two host directories standing for the
 * paths commands and file calls can reach: the workspace {@code /vercel/sandbox} (the session's {@code cwd}, as in
 * Vercel's mock server) and {@code /tmp}. The filesystem outlives sessions, as a persistent sandbox's does.
 */
final class FakeSandbox {

    static final String CWD = "/vercel/sandbox";
    static final long MEMORY_MB_PER_VCPU = 2048;

    final String name;
    final String region;
    final int vcpus;
    final long timeoutMs;
    final JsonNode networkPolicy;
    final Map<String, String> env;
    final Map<String, String> tags;
    final long createdAt;
    final Path dir;
    String sessionId;
    String status = "running";
    long sessionCreatedAt;
    String currentSnapshotId = "";

    FakeSandbox(
            String name,
            String region,
            int vcpus,
            long timeoutMs,
            JsonNode networkPolicy,
            Map<String, String> env,
            Map<String, String> tags,
            Path dir,
            String sessionId) {
        this.name = name;
        this.region = region;
        this.vcpus = vcpus;
        this.timeoutMs = timeoutMs;
        this.networkPolicy = networkPolicy;
        this.env = Map.copyOf(env);
        this.tags = Map.copyOf(tags);
        this.createdAt = System.currentTimeMillis();
        this.sessionCreatedAt = createdAt;
        this.dir = dir;
        this.sessionId = sessionId;
        try {
            Files.createDirectories(workspace());
            Files.createDirectories(tmp());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path workspace() {
        return dir.resolve("workspace");
    }

    Path tmp() {
        return dir.resolve("tmp");
    }

    /** The host path of an absolute sandbox path; only the workspace and {@code /tmp} exist in the fake. */
    Path hostPath(String sandboxPath) {
        Path normal = Path.of(sandboxPath).normalize();
        Path workspace = Path.of(CWD);
        Path tmp = Path.of("/tmp");
        if (normal.startsWith(workspace)) {
            return workspace().resolve(workspace.relativize(normal).toString());
        }
        if (normal.startsWith(tmp)) {
            return tmp().resolve(tmp.relativize(normal).toString());
        }
        throw VercelError.badRequest("The fake only has " + CWD + " and /tmp, not " + sandboxPath);
    }

    ObjectNode sandboxJson() {
        ObjectNode json = StrictJson.JSON.createObjectNode();
        json.put("name", name);
        json.put("persistent", true);
        json.put("region", region);
        json.put("vcpus", vcpus);
        json.put("memory", vcpus * MEMORY_MB_PER_VCPU);
        json.put("timeout", timeoutMs);
        json.set("networkPolicy", networkPolicy);
        json.put("createdAt", createdAt);
        json.put("updatedAt", System.currentTimeMillis());
        json.put("currentSessionId", sessionId);
        if (!currentSnapshotId.isEmpty()) {
            json.put("currentSnapshotId", currentSnapshotId);
        }
        json.put("status", status);
        json.put("cwd", CWD);
        ObjectNode tagsJson = json.putObject("tags");
        tags.forEach(tagsJson::put);
        return json;
    }

    ObjectNode sessionJson() {
        ObjectNode json = StrictJson.JSON.createObjectNode();
        json.put("id", sessionId);
        json.put("memory", vcpus * MEMORY_MB_PER_VCPU);
        json.put("vcpus", vcpus);
        json.put("region", region);
        json.put("timeout", timeoutMs);
        json.put("status", status);
        json.put("requestedAt", sessionCreatedAt);
        json.put("startedAt", sessionCreatedAt);
        json.put("createdAt", sessionCreatedAt);
        json.put("cwd", CWD);
        json.put("updatedAt", System.currentTimeMillis());
        json.set("networkPolicy", networkPolicy);
        return json;
    }

    /** {@code {sandbox, session, routes}}, the answer of create and get. */
    ObjectNode answer(boolean resumed) {
        ObjectNode json = StrictJson.JSON.createObjectNode();
        json.set("sandbox", sandboxJson());
        json.set("session", sessionJson());
        json.putArray("routes");
        json.put("resumed", resumed);
        return json;
    }

    void deleteFiles() {
        deleteTree(dir);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
