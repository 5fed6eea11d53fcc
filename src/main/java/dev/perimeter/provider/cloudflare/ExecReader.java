package dev.perimeter.provider.cloudflare;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the bridge's exec stream into an {@link ExecResult}: {@code stdout}/{@code stderr} events carry base64 chunks,
 * passed on to the listener as they arrive, up to the cap; {@code exit} ({@code {"exit_code":N}}) ends the command;
 * {@code error} ({@code {"error","code"}}) is the bridge failing it. A stream that ends before either is a broken
 * connection, never a result.
 */
final class ExecReader {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_LINE = 8 * 1024 * 1024;

    private final String provider;
    private final ExecOutput output;
    private final long cap;
    private final Duration timeout;
    private final long started;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private boolean truncated;

    ExecReader(String provider, ExecOutput output, long cap, Duration timeout, long startedNanos) {
        this.provider = provider;
        this.output = output;
        this.cap = cap;
        this.timeout = timeout;
        this.started = startedNanos;
    }

    ExecResult read(InputStream body) throws IOException {
        ServerSentEvents events = new ServerSentEvents(new BufferedInputStream(body, 16 * 1024), MAX_LINE);
        try {
            for (ServerSentEvents.Event event = events.next(); event != null; event = events.next()) {
                switch (event.name()) {
                    case "stdout" -> accept(stdout, decode(event.data()), true);
                    case "stderr" -> accept(stderr, decode(event.data()), false);
                    case "exit" -> {
                        return result(exitCode(event.data()));
                    }
                    case "error" -> throw failed(event.data());
                    default -> {
                        // keep-alives and events a later bridge may add
                    }
                }
            }
        } catch (IllegalStateException e) {
            throw new ProviderErrorException(
                    provider, "Provider '" + provider + "' sent a malformed exec stream: " + e.getMessage(), e);
        }
        throw new ProviderUnavailableException(
                provider,
                "Provider '" + provider + "' ended the exec stream before the command's exit event; the command may"
                        + " or may not have run to completion",
                new java.io.EOFException("exec stream ended without an exit event"));
    }

    private ExecResult result(int exitCode) {
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        boolean timedOut = exitCode == ExecScript.KILLED && duration.compareTo(timeout) >= 0;
        return new ExecResult(exitCode, stdout.toByteArray(), stderr.toByteArray(), duration, timedOut, truncated);
    }

    private void accept(ByteArrayOutputStream kept, byte[] chunk, boolean isStdout) {
        long room = cap - kept.size();
        if (chunk.length > room) {
            truncated = true;
        }
        int take = (int) Math.max(0, Math.min(room, chunk.length));
        if (take == 0) {
            return;
        }
        byte[] passed = take == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, take);
        kept.writeBytes(passed);
        if (isStdout) {
            output.stdout(passed);
        } else {
            output.stderr(passed);
        }
    }

    private byte[] decode(String data) {
        try {
            return Base64.getDecoder().decode(data.replace("\n", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("an output chunk is not base64");
        }
    }

    private int exitCode(String data) {
        JsonNode exit = json(data, "exit");
        JsonNode code = exit.get("exit_code");
        if (code == null || !code.isIntegralNumber()) {
            throw new IllegalStateException("the exit event has no integer exit_code");
        }
        return code.asInt();
    }

    private ProviderErrorException failed(String data) {
        JsonNode error = json(data, "error");
        String message = text(error, "error");
        String code = text(error, "code");
        return new ProviderErrorException(
                provider,
                "Provider '" + provider + "' could not run the command: " + message + " (" + code + ")",
                null);
    }

    private static JsonNode json(String data, String event) {
        try {
            JsonNode node = JSON.readTree(data);
            if (node == null || !node.isObject()) {
                throw new IllegalStateException("the " + event + " event is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new IllegalStateException("the " + event + " event is not JSON");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        String text = value == null || value.isNull() ? "unknown" : value.asString();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
