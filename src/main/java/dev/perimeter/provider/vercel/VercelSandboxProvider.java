package dev.perimeter.provider.vercel;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderCapabilities;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProvisionedSandbox;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.provider.SnapshotResult;
import dev.perimeter.provider.http.VendorResponse;
import dev.perimeter.shared.Ids;
import dev.perimeter.shared.PayloadTooLargeException;
import dev.perimeter.shared.ValidationFailedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Vercel Sandbox. The provider reference is the sandbox's name, which is Perimeter's sandbox id: a Vercel sandbox
 * outlives its sessions (a snapshot or a timeout stops the session; the next call resumes a new one), so every call
 * first resolves the name's current session with {@code GET /v2/sandboxes/{name}?resume=true}, and a session that
 * stopped between that and the call is resolved once more.
 */
final class VercelSandboxProvider implements SandboxProvider {

    static final String TYPE = "vercel";

    /** Regions the SDK names ({@code constants.ts}); {@code iad1} is Vercel's default. */
    static final Set<String> REGIONS = Set.of("iad1", "sfo1", "cle1", "cdg1");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int SESSION_POLLS = 60;
    private static final Duration SESSION_POLL = Duration.ofMillis(500);

    private final VercelApi api;
    private final VercelProviderProperties properties;
    private final ProviderCapabilities capabilities;

    VercelSandboxProvider(VercelApi api, VercelProviderProperties properties) {
        this.api = api;
        this.properties = properties;
        this.capabilities = new ProviderCapabilities(
                true,
                SnapshotPersistence.PERSISTENT,
                Set.of(EgressMode.DENY_ALL, EgressMode.ALLOW_ALL, EgressMode.ALLOWLIST),
                false,
                true,
                REGIONS,
                properties.maxLifetime(),
                true);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProviderCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public ProvisionedSandbox create(SandboxSpec spec) {
        Optional<JsonNode> existing = api.getSandbox(spec.sandboxId(), false);
        if (existing.isPresent()) {
            return provisioned(spec.sandboxId(), existing.get());
        }
        VendorResponse created = api.createSandbox(CreateRequest.body(spec, api.projectId(), properties.maxLifetime()));
        if (created.isSuccess()) {
            return provisioned(spec.sandboxId(), created.json());
        }
        // A retried create whose first attempt got through meets its own sandbox: Vercel refuses the name with 400.
        return api.getSandbox(spec.sandboxId(), false)
                .map(found -> provisioned(spec.sandboxId(), found))
                .orElseThrow(() -> VercelErrors.refused(
                        "create sandbox '" + spec.sandboxId() + "'", created, properties.bearerToken()));
    }

    @Override
    public SandboxStatus status(String providerRef) {
        return api.getSandbox(providerRef, false)
                .map(found -> statusOf(found.path("sandbox").path("status").asString("")))
                .orElse(SandboxStatus.UNKNOWN);
    }

    @Override
    public ExecResult exec(String providerRef, ExecSpec spec, ExecOutput output) {
        if (spec.command().isEmpty()) {
            throw new ValidationFailedException("command", "must name a program");
        }
        long started = System.nanoTime();
        Session session = session(providerRef);
        List<String> argv = spec.command();
        if (spec.stdin() != null) {
            String stdinFile = "tmp/.perimeter-stdin-" + Ids.random(16);
            write(providerRef, session, "/", stdinFile, spec.stdin());
            argv = new ArrayList<>(
                    List.of("sh", "-c", "exec 0<\"$0\" && rm -f \"$0\" && exec \"$@\"", "/" + stdinFile));
            argv.addAll(spec.command());
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("command", argv.getFirst());
        argv.subList(1, argv.size()).forEach(body.putArray("args")::add);
        body.put("cwd", WorkspacePaths.workingDirectory(session.cwd(), spec.cwd()));
        ObjectNode env = body.putObject("env");
        spec.env().forEach(env::put);
        body.put("sudo", false);
        body.put("wait", true);
        body.put("logs", true);
        body.put("timeout", spec.timeout().toMillis());
        byte[] request = JSON.writeValueAsBytes(body);
        CommandStream.Finished finished;
        try {
            finished = runCommand(session, request, spec, output);
        } catch (SessionStopped stopped) {
            finished = runCommand(session(providerRef), request, spec, output);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        Duration duration = finished.durationMs() >= 0 ? Duration.ofMillis(finished.durationMs()) : elapsed;
        boolean timedOut = finished.exitCode() != 0
                && (duration.compareTo(spec.timeout()) >= 0 || elapsed.compareTo(spec.timeout()) >= 0);
        return new ExecResult(
                finished.exitCode(), finished.stdout(), finished.stderr(), duration, timedOut, finished.truncated());
    }

    private CommandStream.Finished runCommand(Session session, byte[] request, ExecSpec spec, ExecOutput output) {
        Duration headersWithin = spec.timeout().plus(properties.requestTimeout());
        return api.runCommand(session.id(), request, headersWithin, (status, headers, stream) -> {
            SessionStopped.check(status);
            String contentType = headers.firstValue("Content-Type").orElse("");
            if (!contentType.startsWith(CommandStream.CONTENT_TYPE)) {
                throw new ProviderErrorException(
                        TYPE,
                        "Vercel answered a command with '" + contentType + "' instead of a stream of command data",
                        null);
            }
            return new CommandStream(output, spec.maxOutputBytes()).read(stream);
        });
    }

    @Override
    public void writeFile(String providerRef, String path, byte[] content) {
        String relative = WorkspacePaths.relative(path);
        Session session = session(providerRef);
        write(providerRef, session, session.cwd(), relative, content);
    }

    private void write(String providerRef, Session session, String extractDir, String name, byte[] content) {
        byte[] tarGz = GzipTar.of(name, content);
        VendorResponse response = api.writeFiles(session.id(), extractDir, tarGz);
        if (stopped(response)) {
            response = api.writeFiles(session(providerRef).id(), extractDir, tarGz);
        }
        if (!response.isSuccess()) {
            throw VercelErrors.refused("write a file", response, properties.bearerToken());
        }
    }

    @Override
    public Optional<byte[]> readFile(String providerRef, String path, long maxBytes) {
        String relative = WorkspacePaths.relative(path);
        Session session = session(providerRef);
        try {
            return read(session, relative, maxBytes);
        } catch (SessionStopped stopped) {
            return read(session(providerRef), relative, maxBytes);
        }
    }

    private Optional<byte[]> read(Session session, String relative, long maxBytes) {
        ObjectNode body = JSON.createObjectNode().put("path", relative).put("cwd", session.cwd());
        return api.readFile(session.id(), JSON.writeValueAsBytes(body), (status, headers, stream) -> {
            if (status == 404) {
                return Optional.empty();
            }
            SessionStopped.check(status);
            String contentType = headers.firstValue("Content-Type").orElse("");
            if (!contentType.startsWith("application/octet-stream")) {
                throw new ProviderErrorException(
                        TYPE,
                        "Vercel answered a file read with '" + contentType + "' instead of the file's bytes",
                        null);
            }
            byte[] bytes = stream.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new PayloadTooLargeException(maxBytes);
            }
            return Optional.of(bytes);
        });
    }

    @Override
    public SnapshotResult snapshot(String providerRef, String snapshotId) {
        byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode()
                .put("expiration", properties.snapshotExpiration().toMillis()));
        VendorResponse response = api.snapshot(session(providerRef).id(), body);
        if (stopped(response)) {
            response = api.snapshot(session(providerRef).id(), body);
        }
        if (!response.isSuccess()) {
            throw VercelErrors.refused("snapshot sandbox '" + providerRef + "'", response, properties.bearerToken());
        }
        JsonNode snapshot = response.json().path("snapshot");
        String id = snapshot.path("id").asString("");
        if (id.isEmpty()) {
            throw new ProviderErrorException(TYPE, "Vercel answered a snapshot without its id", null);
        }
        JsonNode expiresAt = snapshot.path("expiresAt");
        return new SnapshotResult(
                id,
                snapshot.path("sizeBytes").asLong(0),
                SnapshotPersistence.PERSISTENT,
                expiresAt.isNumber() ? Instant.ofEpochMilli(expiresAt.asLong()) : null);
    }

    @Override
    public void deleteSnapshot(String snapshotRef) {
        api.deleteSnapshot(snapshotRef);
    }

    @Override
    public void destroy(String providerRef) {
        api.deleteSandbox(providerRef);
    }

    @Override
    public List<ManagedSandbox> listManaged() {
        List<ManagedSandbox> managed = new ArrayList<>();
        String tag = CreateRequest.MANAGED_TAG + ":" + CreateRequest.MANAGED_VALUE;
        String cursor = null;
        do {
            JsonNode page = api.listSandboxes(tag, cursor);
            for (JsonNode sandbox : page.path("sandboxes")) {
                String name = sandbox.path("name").asString("");
                String ours =
                        sandbox.path("tags").path(CreateRequest.SANDBOX_TAG).asString("");
                if (!name.isEmpty() && name.equals(ours)) {
                    managed.add(new ManagedSandbox(name, name));
                }
            }
            JsonNode next = page.path("pagination").path("next");
            cursor = next.isString() && !next.asString().isEmpty() ? next.asString() : null;
        } while (cursor != null);
        return managed;
    }

    /** The sandbox's current session, resumed if it had stopped, once it is running. */
    private Session session(String name) {
        for (int poll = 0; ; poll++) {
            JsonNode found = api.getSandbox(name, true)
                    .orElseThrow(() -> new ProviderErrorException(TYPE, "Vercel has no sandbox '" + name + "'", null));
            JsonNode session = found.path("session");
            String status = session.path("status").asString("");
            if (status.equals("running") || poll >= SESSION_POLLS) {
                return new Session(
                        session.path("id").asString(""), session.path("cwd").asString(""));
            }
            if (statusOf(status) == SandboxStatus.FAILED) {
                throw new ProviderErrorException(TYPE, "Vercel's session of sandbox '" + name + "' is " + status, null);
            }
            sleep();
        }
    }

    private static boolean stopped(VendorResponse response) {
        return response.status() == VercelApi.SESSION_STOPPED || response.status() == VercelApi.SESSION_BUSY;
    }

    private static ProvisionedSandbox provisioned(String name, JsonNode answer) {
        SandboxStatus status = statusOf(answer.path("session").path("status").asString(""));
        return new ProvisionedSandbox(
                name, status == SandboxStatus.RUNNING ? SandboxStatus.RUNNING : SandboxStatus.PROVISIONING);
    }

    static SandboxStatus statusOf(String vercelStatus) {
        return switch (vercelStatus) {
            case "running" -> SandboxStatus.RUNNING;
            case "pending" -> SandboxStatus.PROVISIONING;
            case "stopping", "stopped", "snapshotting" -> SandboxStatus.STOPPED;
            case "failed", "aborted" -> SandboxStatus.FAILED;
            default -> SandboxStatus.UNKNOWN;
        };
    }

    private static void sleep() {
        try {
            Thread.sleep(SESSION_POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderErrorException(TYPE, "Interrupted while waiting for a Vercel session", e);
        }
    }

    /** A sandbox's current session: its id and working directory, the workspace. */
    private record Session(String id, String cwd) {}

    /** The session stopped (410) or is stopping (422) under a call: resolve the session again and retry once. */
    private static final class SessionStopped extends RuntimeException {

        private SessionStopped() {
            super(null, null, false, false);
        }

        static void check(int status) {
            if (status == VercelApi.SESSION_STOPPED || status == VercelApi.SESSION_BUSY) {
                throw new SessionStopped();
            }
        }
    }
}
