package dev.perimeter.provider.kubernetes;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The part of a kubelet the CRUD mock server lacks (and a guard against a stall of the mock's watches, see {@link
 * #POD_WATCH}): answers {@code GET …/pods/{name}/exec} by upgrading to a {@code
 * v4.channel.k8s.io}-framed WebSocket and running the argv on this host, under bubblewrap, with the Pod's emptyDir
 * bound at {@code /workspace}, a private {@code /tmp}, the container's env, and a PID namespace of its own. Channel 0
 * frames feed stdin; stdout and stderr go out as channel 1 and 2 frames; the exit status goes out on channel 3 as the
 * API server's {@code Status} ({@code Success}, or {@code NonZeroExitCode} with an {@code ExitCode} cause). Everything
 * else goes to the mock's own dispatcher (expectations, then the CRUD store).
 */
final class ExecEmulator extends Dispatcher {

    private static final Pattern EXEC = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/exec\\?(.*)");
    /**
     * fabric8 lists and then watches the Pod before every exec ({@code PodOperationUtil.waitUntilReadyOrTerminal},
     * with no wait unless {@code withReadyWaitTimeout} is set) and closes the watch at once. The CRUD store's watch
     * closes on the server's event loop by awaiting its event sender, which may itself be waiting (up to a hard-coded
     * 30 s in {@code VertxMockWebSocket}) for that loop to write an event: the whole API server then stalls for 30 s.
     * Pod watches are therefore answered here by a watch that reports nothing, as a server with no changes would.
     */
    private static final Pattern POD_WATCH = Pattern.compile("/api/v1/namespaces/[^/]+/pods\\?(.*&)?watch=true(&.*)?");

    private final Dispatcher delegate;
    private final Path root;
    private final Map<String, Path> podDirs = new ConcurrentHashMap<>();
    private final AtomicInteger execs = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    ExecEmulator(Dispatcher delegate, Path root) {
        this.delegate = delegate;
        this.root = root;
    }

    /** The next {@code count} execs send part of their stdout and then close the stream without an exit status. */
    void cutNextExecs(int count) {
        cuts.set(count);
    }

    /** How many execs were answered. */
    int execs() {
        return execs.get();
    }

    /** How many {@code method path} requests arrived (the path without its query). */
    int requests(String method, String path) {
        AtomicInteger count = requests.get(method + " " + path);
        return count == null ? 0 : count.get();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        requests.computeIfAbsent(
                        request.getMethod() + " " + request.getPath().split("\\?")[0], k -> new AtomicInteger())
                .incrementAndGet();
        if ("GET".equals(request.getMethod())
                && POD_WATCH.matcher(request.getPath()).matches()) {
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {});
        }
        Matcher exec = EXEC.matcher(request.getPath());
        if (!"GET".equals(request.getMethod()) || !exec.matches()) {
            return delegate.dispatch(request);
        }
        Pod pod = storedPod(exec.group(1), exec.group(2));
        if (pod == null) {
            return new MockResponse()
                    .setResponseCode(404)
                    .setBody(Serialization.asJson(new StatusBuilder()
                            .withStatus("Failure")
                            .withReason("NotFound")
                            .withCode(404)
                            .withMessage("pods \"" + exec.group(2) + "\" not found")
                            .build()));
        }
        List<String> command = new ArrayList<>();
        String container = null;
        for (String pair : exec.group(3).split("&")) {
            String[] kv = pair.split("=", 2);
            String value = URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8);
            if (kv[0].equals("command")) {
                command.add(value);
            } else if (kv[0].equals("container")) {
                container = value;
            }
        }
        String wanted = container;
        var spec = pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(wanted))
                .findFirst();
        if (spec.isEmpty() || command.isEmpty()) {
            return new MockResponse().setResponseCode(400).setBody("{\"kind\":\"Status\",\"status\":\"Failure\"}");
        }
        execs.incrementAndGet();
        Path dir = podDirs.computeIfAbsent(pod.getMetadata().getUid(), uid -> createPodDir());
        boolean cut = cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        return new MockResponse()
                .withWebSocketUpgrade(new Session(dir, command, spec.get().getEnv(), cut));
    }

    /** The Pod as the CRUD store holds it, read through the store itself: this runs on the server's event loop. */
    private @Nullable Pod storedPod(String namespace, String name) {
        MockResponse response = delegate.dispatch(new RecordedRequest(
                "HTTP/1.1",
                HttpMethod.GET,
                "/api/v1/namespaces/" + namespace + "/pods/" + name,
                Headers.builder().build(),
                new Buffer()));
        if (response.code() != 200) {
            return null;
        }
        return Serialization.unmarshal(response.getBody().readUtf8(), Pod.class);
    }

    private Path createPodDir() {
        try {
            Path dir = Files.createTempDirectory(root, "pod");
            Files.createDirectories(dir.resolve("workspace"));
            Files.createDirectories(dir.resolve("tmp"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One exec: a process on this host behind the WebSocket. The listener's callbacks run on the mock server's event
     * loop, which also serves every other request on its connections, so nothing here blocks it: the process is
     * started, and stdin written, by a thread of the session's own. Blocking the loop in a pipe write could stall the
     * whole API server for 30 s: the output pumps' {@code send} waits (up to a hard-coded 30 s in {@code
     * VertxMockWebSocket}) for that same loop, and a process whose stdout is full stops reading its stdin.
     */
    private static final class Session extends WebSocketListener {

        private static final byte[] END = new byte[0];

        private final Path dir;
        private final List<String> command;
        private final List<EnvVar> env;
        private final boolean cut;
        private final BlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
        private volatile boolean closed;
        private volatile Process process;

        Session(Path dir, List<String> command, List<EnvVar> env, boolean cut) {
            this.dir = dir;
            this.command = command;
            this.env = env;
            this.cut = cut;
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            if (cut) {
                // Cut mid-stream, once the client has had time to see the stream open: closing inside onOpen raced
                // fabric8's own open handling, which then waited for a ready stream until its request timeout, and
                // output sent at once could arrive before fabric8 attached its stdout.
                Thread.ofPlatform().daemon().name("exec-emulator-cut").start(() -> {
                    pause();
                    ws.send(frame(1, "partial li".getBytes(StandardCharsets.UTF_8)));
                    pause();
                    ws.close(1000, "");
                });
                return;
            }
            Thread.ofPlatform().daemon().name("exec-emulator").start(() -> run(ws));
        }

        private static void pause() {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run(WebSocket ws) {
            List<String> argv = new ArrayList<>(List.of(
                    "bwrap",
                    "--dev-bind",
                    "/",
                    "/",
                    "--bind",
                    dir.resolve("workspace").toString(),
                    "/workspace",
                    "--bind",
                    dir.resolve("tmp").toString(),
                    "/tmp",
                    "--unshare-pid",
                    "--die-with-parent",
                    "--chdir",
                    "/workspace",
                    "--"));
            argv.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(argv);
            builder.environment().clear();
            builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            builder.environment().put("HOME", "/root");
            env.forEach(e -> builder.environment().put(e.getName(), e.getValue()));
            Process started;
            try {
                started = builder.start();
            } catch (IOException e) {
                ws.send(frame(3, status(126)));
                ws.close(1000, "");
                return;
            }
            process = started;
            if (closed) {
                kill();
                return;
            }
            Thread.ofPlatform().daemon().name("exec-emulator-stdin").start(() -> feed(started));
            relay(ws, started);
        }

        /** Writes stdin frames to the process as they come, in order, until the session ends. */
        private void feed(Process started) {
            try (OutputStream in = started.getOutputStream()) {
                for (byte[] chunk; (chunk = stdin.take()) != END; ) {
                    in.write(chunk);
                    in.flush();
                }
            } catch (IOException e) {
                // the command stopped reading
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void relay(WebSocket ws, Process started) {
            Thread out = pump(started.getInputStream(), ws, 1);
            Thread err = pump(started.getErrorStream(), ws, 2);
            try {
                int exit = started.waitFor();
                out.join();
                err.join();
                ws.send(frame(3, status(exit)));
                ws.close(1000, "");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stdin.add(END);
            }
        }

        private static Thread pump(InputStream in, WebSocket ws, int channel) {
            return Thread.ofPlatform().daemon().start(() -> {
                byte[] buffer = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        ws.send(frame(channel, Arrays.copyOf(buffer, n)));
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            });
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            if (bytes.length > 1 && bytes[0] == 0) {
                stdin.add(Arrays.copyOfRange(bytes, 1, bytes.length));
            }
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            end();
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            end();
        }

        private void end() {
            closed = true;
            stdin.add(END);
            kill();
        }

        private void kill() {
            Process p = process;
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }

        private static byte[] status(int exit) {
            var status = exit == 0
                    ? new StatusBuilder().withStatus("Success").build()
                    : new StatusBuilder()
                            .withStatus("Failure")
                            .withReason("NonZeroExitCode")
                            .withMessage("command terminated with non-zero exit code: exit status " + exit)
                            .withNewDetails()
                            .withCauses(new StatusCauseBuilder()
                                    .withReason("ExitCode")
                                    .withMessage(Integer.toString(exit))
                                    .build())
                            .endDetails()
                            .build();
            return Serialization.asJson(status).getBytes(StandardCharsets.UTF_8);
        }

        private static byte[] frame(int channel, byte[] payload) {
            byte[] frame = new byte[payload.length + 1];
            frame[0] = (byte) channel;
            System.arraycopy(payload, 0, frame, 1, payload.length);
            return frame;
        }
    }
}
