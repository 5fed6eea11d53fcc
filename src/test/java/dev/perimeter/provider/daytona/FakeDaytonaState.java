package dev.perimeter.provider.daytona;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** What the fake Daytona holds: sandboxes (each a directory standing for its filesystem root) and snapshots. */
final class FakeDaytonaState {

    private final Path root;
    private final String toolboxProxyUrl;
    private final Map<String, FakeSandbox> sandboxes = new ConcurrentHashMap<>();
    private final Map<String, FakeSnapshot> snapshots = new ConcurrentHashMap<>();
    private final AtomicReference<JsonNode> lastCreateBody = new AtomicReference<>();

    FakeDaytonaState(Path root, String toolboxProxyUrl) {
        this.root = root;
        this.toolboxProxyUrl = toolboxProxyUrl;
    }

    Path root() {
        return root;
    }

    /** One sandbox; {@code state} moves on as the client looks at it, as Daytona's does in the background. */
    static final class FakeSandbox {
        final String id = UUID.randomUUID().toString();
        final ObjectNode json;
        final Path fs;
        final Map<String, String> env;
        volatile String state = "creating";

        FakeSandbox(ObjectNode json, Path fs, Map<String, String> env) {
            this.json = json;
            this.fs = fs;
            this.env = Map.copyOf(env);
        }

        String name() {
            return json.path("name").asString();
        }

        synchronized JsonNode json() {
            json.put("id", id)
                    .put("state", state)
                    .put("updatedAt", Instant.now().toString());
            return json.deepCopy();
        }

        /** The host path of an absolute path inside the sandbox. */
        Path resolve(String absolute) {
            Path resolved = fs.resolve(absolute.replaceFirst("^/+", "")).normalize();
            if (!resolved.startsWith(fs)) {
                throw new IllegalArgumentException("path escapes the sandbox: " + absolute);
            }
            return resolved;
        }
    }

    /** One snapshot; {@code pending} until first looked at. */
    static final class FakeSnapshot {
        final String id = UUID.randomUUID().toString();
        final String name;
        final Path content;
        final long sizeBytes;
        volatile String state = "pending";

        FakeSnapshot(String name, Path content, long sizeBytes) {
            this.name = name;
            this.content = content;
            this.sizeBytes = sizeBytes;
        }
    }

    FakeSandbox add(ObjectNode json, Map<String, String> env, Optional<FakeSnapshot> from, JsonNode requestBody) {
        Path fs = root.resolve("sandboxes").resolve(UUID.randomUUID().toString());
        try {
            if (from.isPresent()) {
                copyTree(from.get().content, fs);
            } else {
                Files.createDirectories(fs.resolve("home/daytona"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FakeSandbox sandbox = new FakeSandbox(json, fs, env);
        sandboxes.put(sandbox.id, sandbox);
        lastCreateBody.set(requestBody);
        return sandbox;
    }

    String toolboxProxyUrl() {
        return toolboxProxyUrl;
    }

    Optional<JsonNode> lastCreateBody() {
        return Optional.ofNullable(lastCreateBody.get());
    }

    /** By id, or by name preferring a live one (Daytona's {@code idOrName}). */
    Optional<FakeSandbox> find(String idOrName) {
        FakeSandbox byId = sandboxes.get(idOrName);
        if (byId != null) {
            return Optional.of(byId);
        }
        return liveByName(idOrName).or(() -> sandboxes.values().stream()
                .filter(s -> s.name().equals(idOrName))
                .findFirst());
    }

    Optional<FakeSandbox> liveByName(String name) {
        return sandboxes.values().stream()
                .filter(s -> s.name().equals(name) && !s.state.equals("destroyed"))
                .findFirst();
    }

    List<FakeSandbox> live() {
        return sandboxes.values().stream()
                .filter(s -> !s.state.equals("destroyed"))
                .sorted(Comparator.comparing(s -> s.id))
                .toList();
    }

    long liveCount() {
        return live().size();
    }

    void destroy(FakeSandbox sandbox) {
        sandbox.state = "destroyed";
        deleteTree(sandbox.fs);
    }

    FakeSnapshot snapshot(FakeSandbox sandbox, String name) {
        Path content = root.resolve("snapshots").resolve(UUID.randomUUID().toString());
        try {
            copyTree(sandbox.fs, content);
            long size;
            try (Stream<Path> files = Files.walk(content)) {
                size = files.filter(Files::isRegularFile)
                        .mapToLong(p -> p.toFile().length())
                        .sum();
            }
            FakeSnapshot snapshot = new FakeSnapshot(name, content, Math.max(size, 4096));
            snapshots.put(snapshot.id, snapshot);
            return snapshot;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Optional<FakeSnapshot> snapshotByIdOrName(String idOrName) {
        FakeSnapshot byId = snapshots.get(idOrName);
        if (byId != null) {
            return Optional.of(byId);
        }
        return snapshots.values().stream().filter(s -> s.name.equals(idOrName)).findFirst();
    }

    Optional<FakeSnapshot> snapshotById(String id) {
        return Optional.ofNullable(snapshots.get(id));
    }

    void deleteSnapshot(FakeSnapshot snapshot) {
        snapshots.remove(snapshot.id);
        deleteTree(snapshot.content);
    }

    void clear() {
        new ArrayList<>(sandboxes.values()).forEach(this::destroy);
        sandboxes.clear();
        new ArrayList<>(snapshots.values()).forEach(this::deleteSnapshot);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
