package dev.perimeter.provider.vercel;

import dev.perimeter.provider.vercel.FakeVercelApi.Reply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fake's sandboxes, sessions and snapshots, and what each endpoint does to them. Request bodies are read strictly
 * (see {@link StrictJson} and {@link FakeCreateBody}): only the fields the SDK's {@code api-client.ts} sends, each of
 * the type and unit the API takes.
 */
final class FakeVercelState {

    static final Set<String> REGIONS = Set.of("iad1", "sfo1", "cle1", "cdg1");
    static final long MAX_TIMEOUT_MS = 5 * 60 * 60 * 1000L;

    private static final Set<String> CREATE_FIELDS = Set.of(
            "projectId",
            "name",
            "ports",
            "source",
            "timeout",
            "resources",
            "runtime",
            "image",
            "persistent",
            "networkPolicy",
            "env",
            "tags",
            "snapshotExpiration",
            "keepLastSnapshots",
            "region",
            "failoverRegions");
    private static final Set<String> COMMAND_FIELDS =
            Set.of("command", "args", "cwd", "env", "sudo", "wait", "logs", "timeout");

    private final Path root;
    private final String projectId;
    private final int pageSize;
    private final Map<String, FakeSandbox> sandboxes = new ConcurrentHashMap<>();
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    /** A snapshot's files and what Vercel says about it. */
    private record Snapshot(
            String id,
            String sourceSessionId,
            String region,
            Path dir,
            long sizeBytes,
            long createdAt,
            long expiresAt,
            boolean deleted) {}

    FakeVercelState(Path root, String projectId, int pageSize) {
        this.root = root;
        this.projectId = projectId;
        this.pageSize = pageSize;
    }

    boolean has(String name) {
        return sandboxes.containsKey(name);
    }

    Set<String> names() {
        return Set.copyOf(sandboxes.keySet());
    }

    synchronized Reply create(JsonNode body) {
        StrictJson.onlyFields(body, CREATE_FIELDS, "body");
        if (!StrictJson.string(body, "projectId", true).equals(projectId)) {
            throw VercelError.notFound("Project not found");
        }
        String name = StrictJson.string(body, "name", false);
        if (name.isEmpty()) {
            name = "sandbox-" + UUID.randomUUID();
        }
        if (sandboxes.containsKey(name)) {
            throw VercelError.badRequest("A sandbox with the name '" + name + "' already exists for this project.");
        }
        FakeCreateBody create = FakeCreateBody.read(body);
        Snapshot source = source(body.get("source"));
        if (source != null && (body.has("image") || body.has("runtime"))) {
            throw VercelError.badRequest("A snapshot source already defines the image");
        }
        FakeSandbox sandbox = new FakeSandbox(
                name,
                create.region(),
                create.vcpus(),
                create.timeoutMs(),
                create.networkPolicy(),
                strings(body.get("env")),
                strings(body.get("tags")),
                root.resolve(name + "-" + UUID.randomUUID()),
                sessionId());
        if (source != null) {
            FakeSandbox.copyTree(source.dir(), sandbox.dir);
        }
        sandboxes.put(name, sandbox);
        return Reply.json(sandbox.answer(false));
    }

    synchronized Reply get(String name, String project, boolean resume) {
        FakeSandbox sandbox = sandbox(name, project);
        boolean resumed = false;
        if (resume && !sandbox.status.equals("running")) {
            sandbox.sessionId = sessionId();
            sandbox.sessionCreatedAt = System.currentTimeMillis();
            sandbox.status = "running";
            resumed = true;
        }
        return Reply.json(sandbox.answer(resumed));
    }

    synchronized Reply delete(String name, String project) {
        FakeSandbox sandbox = sandbox(name, project);
        sandboxes.remove(name);
        sandbox.status = "stopped";
        sandbox.deleteFiles();
        ObjectNode answer = StrictJson.JSON.createObjectNode();
        answer.set("sandbox", sandbox.sandboxJson());
        answer.putArray("routes");
        return Reply.json(answer);
    }

    synchronized Reply list(String project, @Nullable String tag, @Nullable String cursor, @Nullable String limit) {
        if (!project.equals(projectId)) {
            throw VercelError.notFound("Project not found");
        }
        int size = limit == null ? pageSize : Math.min(pageSize, Integer.parseInt(limit));
        List<FakeSandbox> all = sandboxes.values().stream()
                .filter(sandbox -> tag == null || hasTag(sandbox, tag))
                .sorted(Comparator.comparing((FakeSandbox sandbox) -> sandbox.createdAt)
                        .thenComparing(sandbox -> sandbox.name))
                .toList();
        int from = 0;
        if (cursor != null) {
            from = all.stream().map(sandbox -> sandbox.name).toList().indexOf(cursor) + 1;
            if (from == 0) {
                throw VercelError.badRequest("Invalid request: unknown cursor");
            }
        }
        List<FakeSandbox> page = all.subList(Math.min(from, all.size()), Math.min(from + size, all.size()));
        ObjectNode answer = StrictJson.JSON.createObjectNode();
        page.forEach(sandbox -> answer.withArray("sandboxes").add(sandbox.sandboxJson()));
        answer.withArray("sandboxes");
        ObjectNode pagination = answer.putObject("pagination").put("count", page.size());
        if (from + size < all.size()) {
            pagination.put("next", page.getLast().name);
        } else {
            pagination.putNull("next");
        }
        return Reply.json(answer);
    }

    Reply command(String sessionId, JsonNode body) {
        FakeSandbox sandbox = running(sessionId);
        StrictJson.onlyFields(body, COMMAND_FIELDS, "body");
        String command = StrictJson.string(body, "command", true);
        if (command.isEmpty()) {
            throw VercelError.badRequest("Invalid request: `command` should NOT be shorter than 1 characters");
        }
        StrictJson.stringArray(body, "args");
        StrictJson.stringMap(body, "env", Integer.MAX_VALUE);
        String cwd = StrictJson.string(body, "cwd", false);
        cwd = cwd.isEmpty() ? FakeSandbox.CWD : cwd;
        if (!cwd.startsWith("/")) {
            throw VercelError.badRequest("Invalid request: `cwd` should be an absolute path");
        }
        if (StrictJson.bool(body, "sudo", false)) {
            throw VercelError.badRequest("The fake does not run commands with sudo");
        }
        if (!StrictJson.bool(body, "wait", false) || !StrictJson.bool(body, "logs", false)) {
            throw VercelError.badRequest("The fake answers only wait:true with logs:true");
        }
        long timeout = StrictJson.integer(body, "timeout", 1, MAX_TIMEOUT_MS, MAX_TIMEOUT_MS);
        List<String> args = new ArrayList<>();
        body.path("args").forEach(arg -> args.add(arg.asString()));
        FakeCommand.Outcome outcome = FakeCommand.run(sandbox, command, args, cwd, strings(body.get("env")), timeout);

        ObjectNode started = commandJson(sessionId, command, args, cwd, outcome.startedAt());
        started.putNull("exitCode");
        StringBuilder lines =
                new StringBuilder(line(StrictJson.JSON.createObjectNode().set("command", started)));
        for (FakeCommand.Chunk chunk : outcome.chunks()) {
            ObjectNode log = StrictJson.JSON.createObjectNode();
            log.put("stream", chunk.stream()).put("data", chunk.data());
            lines.append(line(log));
        }
        ObjectNode finished = commandJson(sessionId, command, args, cwd, outcome.startedAt());
        finished.put("exitCode", outcome.exitCode()).put("durationMs", outcome.durationMs());
        lines.append(line(StrictJson.JSON.createObjectNode().set("command", finished)));
        return new Reply(
                200, "application/x-ndjson", lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Reply writeFiles(String sessionId, String cwd, byte[] body) {
        FakeSandbox sandbox = running(sessionId);
        // WireMock hands over a gzipped body already un-gzipped (it sniffs the gzip magic), so the tar may arrive bare;
        // GzipTarTests proves the provider gzips it.
        boolean gzipped = body.length > 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                gzipped ? new GZIPInputStream(new ByteArrayInputStream(body)) : new ByteArrayInputStream(body))) {
            TarArchiveEntry entry;
            int files = 0;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                Path target = sandbox.hostPath(cwd + "/" + entry.getName());
                Files.createDirectories(target.getParent());
                Files.write(target, tar.readAllBytes());
                files++;
            }
            if (files == 0) {
                throw VercelError.badRequest("fs/write takes a gzipped tar holding at least one file");
            }
        } catch (IOException e) {
            throw VercelError.badRequest("fs/write takes a gzipped tar: " + e.getMessage());
        }
        return Reply.json(StrictJson.JSON.createObjectNode());
    }

    Reply readFile(String sessionId, JsonNode body) {
        FakeSandbox sandbox = running(sessionId);
        StrictJson.onlyFields(body, Set.of("path", "cwd"), "body");
        String path = StrictJson.string(body, "path", true);
        String cwd = StrictJson.string(body, "cwd", false);
        String absolute = path.startsWith("/") ? path : (cwd.isEmpty() ? FakeSandbox.CWD : cwd) + "/" + path;
        Path file = sandbox.hostPath(absolute);
        if (!Files.isRegularFile(file)) {
            return new Reply(404, "application/json", new byte[0]);
        }
        try {
            return new Reply(200, "application/octet-stream", Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized Reply snapshot(String sessionId, @Nullable JsonNode body) {
        FakeSandbox sandbox = running(sessionId);
        long expiration = 0;
        if (body != null) {
            StrictJson.onlyFields(body, Set.of("expiration"), "body");
            expiration = StrictJson.integer(body, "expiration", 0, Long.MAX_VALUE, 0);
        }
        String id = "snap_" + UUID.randomUUID().toString().replace("-", "");
        Path dir = root.resolve(id);
        FakeSandbox.copyTree(sandbox.dir, dir);
        long now = System.currentTimeMillis();
        Snapshot snapshot = new Snapshot(
                id, sessionId, sandbox.region, dir, size(dir), now, expiration == 0 ? 0 : now + expiration, false);
        snapshots.put(id, snapshot);
        sandbox.currentSnapshotId = id;
        sandbox.status = "stopped";
        ObjectNode answer = StrictJson.JSON.createObjectNode();
        answer.set("snapshot", snapshotJson(snapshot));
        answer.set("session", sandbox.sessionJson());
        return Reply.json(answer);
    }

    synchronized Reply stop(String sessionId) {
        FakeSandbox sandbox = bySession(sessionId);
        sandbox.status = "stopped";
        ObjectNode answer = StrictJson.JSON.createObjectNode();
        answer.set("session", sandbox.sessionJson());
        answer.set("sandbox", sandbox.sandboxJson());
        return Reply.json(answer);
    }

    Reply getSnapshot(String id) {
        Snapshot snapshot = snapshots.get(id);
        if (snapshot == null) {
            throw VercelError.notFound("Snapshot not found: " + id);
        }
        return Reply.json(StrictJson.JSON.createObjectNode().set("snapshot", snapshotJson(snapshot)));
    }

    synchronized Reply deleteSnapshot(String id) {
        Snapshot snapshot = snapshots.get(id);
        if (snapshot == null) {
            throw VercelError.notFound("Snapshot not found: " + id);
        }
        Snapshot deleted = new Snapshot(
                snapshot.id(),
                snapshot.sourceSessionId(),
                snapshot.region(),
                snapshot.dir(),
                snapshot.sizeBytes(),
                snapshot.createdAt(),
                snapshot.expiresAt(),
                true);
        snapshots.put(id, deleted);
        FakeSandbox.deleteTree(snapshot.dir());
        return Reply.json(StrictJson.JSON.createObjectNode().set("snapshot", snapshotJson(deleted)));
    }

    private FakeSandbox sandbox(String name, String project) {
        if (!project.equals(projectId)) {
            throw VercelError.notFound("Project not found");
        }
        FakeSandbox sandbox = sandboxes.get(name);
        if (sandbox == null) {
            throw VercelError.notFound("Sandbox not found: " + name);
        }
        return sandbox;
    }

    private synchronized FakeSandbox bySession(String sessionId) {
        return sandboxes.values().stream()
                .filter(sandbox -> sandbox.sessionId.equals(sessionId))
                .findFirst()
                .orElseThrow(() -> VercelError.notFound("Session not found: " + sessionId));
    }

    private FakeSandbox running(String sessionId) {
        FakeSandbox sandbox = bySession(sessionId);
        if (!sandbox.status.equals("running")) {
            throw new VercelError(410, "sandbox_stopped", "Sandbox is stopped");
        }
        return sandbox;
    }

    private @Nullable Snapshot source(@Nullable JsonNode source) {
        if (source == null) {
            return null;
        }
        StrictJson.onlyFields(source, Set.of("type", "snapshotId"), "source");
        if (!"snapshot".equals(StrictJson.string(source, "type", true))) {
            throw VercelError.badRequest("The fake restores only snapshot sources");
        }
        Snapshot snapshot = snapshots.get(StrictJson.string(source, "snapshotId", true));
        if (snapshot == null || snapshot.deleted()) {
            throw new VercelError(410, "snapshot_not_found", "Snapshot not found: " + source.path("snapshotId"));
        }
        return snapshot;
    }

    private static boolean hasTag(FakeSandbox sandbox, String tag) {
        int colon = tag.indexOf(':');
        return colon > 0 && tag.substring(colon + 1).equals(sandbox.tags.get(tag.substring(0, colon)));
    }

    private static Map<String, String> strings(@Nullable JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        if (object != null) {
            object.properties()
                    .forEach(entry -> map.put(entry.getKey(), entry.getValue().asString()));
        }
        return map;
    }

    private static ObjectNode commandJson(String sessionId, String command, List<String> args, String cwd, long at) {
        ObjectNode json = StrictJson.JSON.createObjectNode();
        json.put("id", "cmd_" + UUID.randomUUID().toString().replace("-", ""));
        json.put("name", command);
        args.forEach(json.putArray("args")::add);
        json.put("cwd", cwd);
        json.put("sessionId", sessionId);
        json.put("startedAt", at);
        return json;
    }

    private static ObjectNode snapshotJson(Snapshot snapshot) {
        ObjectNode json = StrictJson.JSON.createObjectNode();
        json.put("id", snapshot.id());
        json.put("sourceSessionId", snapshot.sourceSessionId());
        json.put("region", snapshot.region());
        json.put("status", snapshot.deleted() ? "deleted" : "created");
        json.put("sizeBytes", snapshot.sizeBytes());
        if (snapshot.expiresAt() > 0) {
            json.put("expiresAt", snapshot.expiresAt());
        }
        json.put("createdAt", snapshot.createdAt());
        json.put("updatedAt", System.currentTimeMillis());
        return json;
    }

    private static String line(JsonNode node) {
        return StrictJson.JSON.writeValueAsString(node) + "\n";
    }

    private static String sessionId() {
        return "sbx_session_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Bytes of the files plus a 512-byte header each, as a tar of the filesystem would weigh. */
    private static long size(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.mapToLong(path -> {
                        try {
                            return 512 + (Files.isRegularFile(path) ? Files.size(path) : 0);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
