package dev.perimeter.provider.vercel;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the NDJSON answer of {@code POST S/cmd} with {@code wait} and {@code logs}: a {@code {"command":…}} line with
 * {@code exitCode: null}, then {@code {"stream":"stdout"|"stderr","data":"…"}} lines, passed on to the listener as they
 * arrive, and a last {@code {"command":…}} line with the exit code. A {@code {"stream":"error"}} line, a line that is
 * not JSON, or a stream that ends before the last line is an error, as it is for the SDK.
 */
final class CommandStream {

    static final String CONTENT_TYPE = "application/x-ndjson";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ExecOutput output;
    private final long cap;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private boolean truncated;

    /** How the command ended, as the last line says. */
    record Finished(int exitCode, long durationMs, byte[] stdout, byte[] stderr, boolean truncated) {}

    CommandStream(ExecOutput output, long cap) {
        this.output = output;
        this.cap = cap;
    }

    Finished read(InputStream stream) throws IOException {
        InputStream body = new BufferedInputStream(stream);
        while (true) {
            byte[] line = nextLine(body);
            if (line == null) {
                throw new ProviderUnavailableException(
                        VercelSandboxProvider.TYPE,
                        "Vercel's command stream ended before the command finished (stream_ended_early)",
                        new EOFException("stream_ended_early"));
            }
            if (line.length == 0) {
                continue;
            }
            JsonNode node = parse(line);
            JsonNode command = node.get("command");
            if (command != null && command.isObject()) {
                JsonNode exit = command.get("exitCode");
                if (exit != null && exit.isNumber()) {
                    JsonNode duration = command.get("durationMs");
                    return new Finished(
                            exit.asInt(),
                            duration != null && duration.isNumber() ? duration.asLong() : -1,
                            stdout.toByteArray(),
                            stderr.toByteArray(),
                            truncated);
                }
                continue;
            }
            String kind = node.path("stream").asString("");
            switch (kind) {
                case "stdout" -> pass(stdout, data(node), true);
                case "stderr" -> pass(stderr, data(node), false);
                case "error" -> throw streamError(node.path("data"));
                default ->
                    throw new ProviderErrorException(
                            VercelSandboxProvider.TYPE,
                            "Vercel's command stream sent a line this provider does not understand",
                            null);
            }
        }
    }

    private void pass(ByteArrayOutputStream captured, byte[] chunk, boolean isStdout) {
        long room = cap - captured.size();
        if (chunk.length > room) {
            truncated = true;
        }
        int keep = (int) Math.max(0, Math.min(room, chunk.length));
        if (keep == 0) {
            return;
        }
        byte[] kept = keep == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, keep);
        captured.writeBytes(kept);
        if (isStdout) {
            output.stdout(kept);
        } else {
            output.stderr(kept);
        }
    }

    private static byte[] data(JsonNode node) {
        JsonNode data = node.get("data");
        if (data == null || !data.isString()) {
            throw new ProviderErrorException(
                    VercelSandboxProvider.TYPE, "Vercel's command stream sent an output line without data", null);
        }
        return data.asString().getBytes(StandardCharsets.UTF_8);
    }

    private static ProviderErrorException streamError(JsonNode data) {
        String code = data.path("code").asString("unknown");
        String message = data.path("message").asString("(no message)");
        return new ProviderErrorException(
                VercelSandboxProvider.TYPE, "Vercel's command stream failed: " + code + ": " + message, null);
    }

    private static JsonNode parse(byte[] line) {
        try {
            return JSON.readTree(line);
        } catch (JacksonException e) {
            throw new ProviderErrorException(
                    VercelSandboxProvider.TYPE, "Vercel's command stream sent a line that is not JSON", e);
        }
    }

    /** The next line without its newline; {@code null} at the end; a last line without a newline was cut off. */
    private static byte @Nullable [] nextLine(InputStream body) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = body.read()) != -1) {
            if (b == '\n') {
                return line.toByteArray();
            }
            line.write(b);
        }
        if (line.size() > 0) {
            throw new ProviderUnavailableException(
                    VercelSandboxProvider.TYPE,
                    "Vercel's command stream broke off in the middle of a line, before the command finished",
                    new EOFException("cut mid-line"));
        }
        return null;
    }
}
