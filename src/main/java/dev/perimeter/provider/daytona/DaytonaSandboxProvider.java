package dev.perimeter.provider.daytona;

import dev.perimeter.provider.EgressMode;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderCapabilities;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.ProvisionedSandbox;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.provider.SnapshotPersistence;
import dev.perimeter.provider.SnapshotResult;
import dev.perimeter.provider.http.VendorHttp;
import dev.perimeter.provider.http.VendorResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sandboxes on Daytona. Each is named with our sandbox id (Daytona refuses a second sandbox of the same name) and
 * labelled with it, its tenant and the correlation id; the provider reference is Daytona's sandbox id, and every call
 * that takes a reference also accepts our sandbox id (Daytona's endpoints take an id or a name).
 */
final class DaytonaSandboxProvider implements SandboxProvider {

    static final String TYPE = "daytona";
    private static final Logger log = LoggerFactory.getLogger(DaytonaSandboxProvider.class);
    /** Extra time Daytona gets beyond the command's own timeout, so our {@code timeout -s KILL} strikes first. */
    private static final Duration EXEC_GRACE = Duration.ofSeconds(15);

    private final DaytonaProviderProperties properties;
    private final VendorHttp http;
    private final DaytonaApi api;
    private final SandboxPaths paths;
    private final Clock clock;
    private final ProviderCapabilities capabilities;

    DaytonaSandboxProvider(DaytonaProviderProperties properties, VendorHttp http, Clock clock) {
        this.properties = properties;
        this.http = http;
        this.api = new DaytonaApi(http, properties.apiUrl());
        this.paths = new SandboxPaths(properties.sandbox().workspace());
        this.clock = clock;
        this.capabilities = new ProviderCapabilities(
                true,
                SnapshotPersistence.PERSISTENT,
                Set.of(EgressMode.DENY_ALL, EgressMode.ALLOW_ALL, EgressMode.ALLOWLIST),
                false,
                true,
                properties.offeredRegions(),
                null,
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
        JsonNode sandbox = api.sandbox(spec.sandboxId())
                .filter(found -> !DaytonaStates.gone(state(found)))
                .or(() -> api.create(CreateSandboxBody.of(spec, properties)))
                .or(() -> api.sandbox(spec.sandboxId()))
                .orElseThrow(() -> new ProviderErrorException(
                        TYPE,
                        "Daytona refused the sandbox name '" + spec.sandboxId() + "' as taken but does not show it",
                        null));
        String id = sandbox.path("id").asString();
        JsonNode settled = await(id, sandbox, s -> DaytonaStates.of(state(s)) != SandboxStatus.PROVISIONING);
        SandboxStatus status = DaytonaStates.of(state(settled));
        if (status == SandboxStatus.FAILED || status == SandboxStatus.UNKNOWN) {
            throw new ProviderErrorException(
                    TYPE,
                    "Daytona sandbox " + id + " ended in state '" + state(settled) + "': "
                            + settled.path("errorReason").asString("(no reason given)"),
                    null);
        }
        return new ProvisionedSandbox(id, status == SandboxStatus.RUNNING ? status : SandboxStatus.PROVISIONING);
    }

    @Override
    public SandboxStatus status(String providerRef) {
        return api.sandbox(providerRef)
                .map(sandbox -> DaytonaStates.of(state(sandbox)))
                .orElse(SandboxStatus.UNKNOWN);
    }

    @Override
    public ExecResult exec(String providerRef, ExecSpec spec, ExecOutput output) {
        ExecScript.validate(spec);
        DaytonaToolbox toolbox = toolbox(providerRef);
        ObjectNode body = DaytonaApi.JSON.createObjectNode();
        body.put("command", ExecScript.command(spec));
        body.put("cwd", paths.workspace());
        body.put("timeout", ExecScript.seconds(spec.timeout().plus(EXEC_GRACE)));
        if (!spec.env().isEmpty()) {
            ObjectNode envs = body.putObject("envs");
            spec.env().forEach(envs::put);
        }
        Instant started = clock.instant();
        VendorResponse response = toolbox.execute(body, spec.timeout().plus(EXEC_GRACE.multipliedBy(2)));
        Duration took = Duration.between(started, clock.instant());
        if (response.status() == 408) {
            return new ExecResult(137, new byte[0], new byte[0], took, true, false);
        }
        String result = response.json().path("result").asString("");
        ExecScript.Report report =
                ExecScript.parse(result, spec.maxOutputBytes()).orElseThrow(() -> ExecScript.unreadable(result));
        if (report.stdout().length > 0) {
            output.stdout(report.stdout());
        }
        if (report.stderr().length > 0) {
            output.stderr(report.stderr());
        }
        boolean truncated =
                report.stdoutBytes() > spec.maxOutputBytes() || report.stderrBytes() > spec.maxOutputBytes();
        return new ExecResult(report.exitCode(), report.stdout(), report.stderr(), took, report.timedOut(), truncated);
    }

    @Override
    public void writeFile(String providerRef, String path, byte[] content) {
        String absolute = paths.resolve(path);
        toolbox(providerRef).upload(absolute, content);
    }

    @Override
    public Optional<byte[]> readFile(String providerRef, String path, long maxBytes) {
        String absolute = paths.resolve(path);
        return toolbox(providerRef).download(absolute, maxBytes);
    }

    @Override
    public SnapshotResult snapshot(String providerRef, String snapshotId) {
        if (api.snapshotByIdOrName(snapshotId).isEmpty()) {
            api.snapshot(providerRef, snapshotId);
        }
        Duration timeout = properties.connection().snapshotTimeout();
        JsonNode snapshot = poll(
                timeout,
                () -> api.snapshotByIdOrName(snapshotId).orElse(null),
                s -> s != null
                        && !Set.of("pending", "building", "pulling")
                                .contains(s.path("state").asString("")));
        if (snapshot == null || !"active".equals(snapshot.path("state").asString(""))) {
            throw new ProviderErrorException(
                    TYPE,
                    "Daytona snapshot '" + snapshotId + "' did not become active"
                            + (snapshot == null
                                    ? ""
                                    : " (state '" + snapshot.path("state").asString("") + "': "
                                            + snapshot.path("errorReason").asString("no reason given") + ")"),
                    null);
        }
        // The sandbox is "snapshotting" until Daytona is done with it; wait for it to settle before handing it back.
        await(providerRef, null, s -> !"snapshotting".equals(state(s)));
        return new SnapshotResult(snapshot.path("id").asString(), sizeBytes(snapshot), SnapshotPersistence.PERSISTENT);
    }

    @Override
    public void deleteSnapshot(String snapshotRef) {
        api.deleteSnapshot(snapshotRef);
    }

    @Override
    public void destroy(String providerRef) {
        api.delete(providerRef);
    }

    @Override
    public List<ManagedSandbox> listManaged() {
        List<ManagedSandbox> managed = new ArrayList<>();
        for (JsonNode sandbox : api.sandboxesLabelled(CreateSandboxBody.managedFilter())) {
            String sandboxId =
                    sandbox.path("labels").path(CreateSandboxBody.SANDBOX_ID).asString("");
            if (!sandboxId.isEmpty() && !DaytonaStates.gone(state(sandbox))) {
                managed.add(new ManagedSandbox(sandboxId, sandbox.path("id").asString()));
            }
        }
        return managed;
    }

    private DaytonaToolbox toolbox(String providerRef) {
        JsonNode sandbox = api.sandbox(providerRef)
                .orElseThrow(() ->
                        new ProviderErrorException(TYPE, "Daytona does not know sandbox '" + providerRef + "'", null));
        String url = sandbox.path("toolboxProxyUrl").asString("");
        if (url.isBlank()) {
            throw new ProviderErrorException(TYPE, "Daytona gave no toolboxProxyUrl for sandbox " + providerRef, null);
        }
        return new DaytonaToolbox(http, url, sandbox.path("id").asString(providerRef));
    }

    /** Polls the sandbox until {@code settled} holds or the start timeout passes; answers the last look. */
    private JsonNode await(String id, @Nullable JsonNode first, Predicate<JsonNode> settled) {
        if (first != null && settled.test(first)) {
            return first;
        }
        JsonNode last = poll(
                properties.connection().startTimeout(),
                () -> api.sandbox(id).orElse(null),
                s -> s == null || settled.test(s));
        if (last == null) {
            throw new ProviderErrorException(TYPE, "Daytona sandbox " + id + " vanished while starting", null);
        }
        return last;
    }

    private <T extends @Nullable Object> T poll(Duration timeout, Supplier<T> look, Predicate<T> done) {
        Instant deadline = clock.instant().plus(timeout);
        T last = look.get();
        while (!done.test(last) && clock.instant().isBefore(deadline)) {
            try {
                Thread.sleep(properties.connection().pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderUnavailableException(TYPE, "Interrupted while waiting for Daytona", e);
            }
            last = look.get();
        }
        if (!done.test(last)) {
            log.info("Daytona did not settle within {}", timeout);
        }
        return last;
    }

    /** {@code size} of a {@code SnapshotDto} is in GB; at least one byte for a snapshot that exists. */
    private static long sizeBytes(JsonNode snapshot) {
        double gigabytes = snapshot.path("size").asDouble(0);
        return Math.max(1, Math.round(gigabytes * 1024 * 1024 * 1024));
    }

    private static String state(JsonNode sandbox) {
        return sandbox.path("state").asString("unknown");
    }

    @Override
    public String toString() {
        return "DaytonaSandboxProvider[" + properties.apiUrl() + "]";
    }
}
