package dev.perimeter.sandbox.web;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.sandbox.ExecCommand;
import dev.perimeter.sandbox.ExecOutcome;
import dev.perimeter.sandbox.Sandbox;
import dev.perimeter.sandbox.SandboxExecution;
import dev.perimeter.sandbox.SandboxProperties;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.LogContext;
import dev.perimeter.shared.Problems;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Runs a command on a virtual thread and streams it as server-sent events: {@code stdout} and {@code stderr} events
 * with {@code {data}} (UTF-8) or {@code {dataBase64}}, then one {@code exit} event; a failure after the stream began
 * is an {@code error} event carrying the problem.
 */
@Component
class ExecStreams {

    private static final Logger log = LoggerFactory.getLogger(ExecStreams.class);

    private final SandboxExecution execution;
    private final SandboxProperties properties;

    ExecStreams(SandboxExecution execution, SandboxProperties properties) {
        this.execution = execution;
        this.properties = properties;
    }

    SseEmitter start(Sandbox sandbox, ExecCommand command) {
        long timeoutMs = properties.execMaxTimeout().plusMinutes(1).toMillis();
        SseEmitter emitter = new SseEmitter(timeoutMs);
        String correlationId = CorrelationId.current();
        String path = "/v1/sandboxes/" + sandbox.getId() + "/exec";
        Thread.ofVirtual().name("exec-stream-" + sandbox.getId()).start(LogContext.carry(() -> {
            try {
                ExecOutcome outcome = execution.exec(sandbox, command, new Forwarder(emitter));
                Map<String, Object> exit = new LinkedHashMap<>();
                exit.put("id", outcome.execId());
                exit.put("exitCode", outcome.result().exitCode());
                exit.put("durationMs", outcome.result().duration().toMillis());
                exit.put("timedOut", outcome.result().timedOut());
                exit.put("truncated", outcome.result().truncated());
                emitter.send(SseEmitter.event().name("exit").data(exit, MediaType.APPLICATION_JSON));
                emitter.complete();
            } catch (ErrorResponseException e) {
                sendError(emitter, Problems.body(e.getBody(), path));
            } catch (IOException e) {
                log.debug("Exec stream client went away: {}", e.getMessage());
                emitter.completeWithError(e);
            } catch (RuntimeException e) {
                log.error("Exec stream failed", e);
                sendError(emitter, Map.of("status", 500, "title", "Internal error", CorrelationId.KEY, correlationId));
            }
        }));
        return emitter;
    }

    private static void sendError(SseEmitter emitter, Map<String, Object> problem) {
        try {
            emitter.send(SseEmitter.event().name("error").data(problem, MediaType.APPLICATION_JSON));
            emitter.complete();
        } catch (IOException | IllegalStateException e) {
            emitter.completeWithError(e);
        }
    }

    /** Forwards output chunks as events; a client that went away stops the forwarding, not the command. */
    private static final class Forwarder implements ExecOutput {

        private final SseEmitter emitter;
        private volatile boolean gone;

        Forwarder(SseEmitter emitter) {
            this.emitter = emitter;
        }

        @Override
        public void stdout(byte[] chunk) {
            send("stdout", chunk);
        }

        @Override
        public void stderr(byte[] chunk) {
            send("stderr", chunk);
        }

        private synchronized void send(String stream, byte[] chunk) {
            if (gone) {
                return;
            }
            Map<String, String> data = OutputText.isUtf8(chunk)
                    ? Map.of("data", OutputText.text(chunk))
                    : Map.of("dataBase64", Base64.getEncoder().encodeToString(chunk));
            try {
                emitter.send(SseEmitter.event().name(stream).data(data, MediaType.APPLICATION_JSON));
            } catch (IOException | IllegalStateException e) {
                gone = true;
            }
        }
    }
}
