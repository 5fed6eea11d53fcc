package dev.perimeter.sandbox.web;

import dev.perimeter.audit.AuditTarget;
import dev.perimeter.audit.Audited;
import dev.perimeter.provider.ExecOutput;
import dev.perimeter.sandbox.IdempotentRequests;
import dev.perimeter.sandbox.Sandbox;
import dev.perimeter.sandbox.SandboxExecution;
import dev.perimeter.sandbox.SandboxManagement;
import dev.perimeter.sandbox.SandboxState;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.PayloadTooLargeException;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.TenantContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The sandbox lifecycle for orchestrators: create, read, list, exec, files, destroy. */
@RestController
@RequestMapping("/v1/sandboxes")
class SandboxController {

    private static final int MAX_IDEMPOTENCY_KEY = 255;

    private final SandboxManagement sandboxes;
    private final SandboxExecution execution;
    private final IdempotentRequests idempotency;
    private final IsolationWarning isolation;
    private final ExecStreams streams;

    SandboxController(
            SandboxManagement sandboxes,
            SandboxExecution execution,
            IdempotentRequests idempotency,
            IsolationWarning isolation,
            ExecStreams streams) {
        this.sandboxes = sandboxes;
        this.execution = execution;
        this.idempotency = idempotency;
        this.isolation = isolation;
        this.streams = streams;
    }

    @Audited("sandbox.create")
    @PostMapping
    ResponseEntity<?> create(
            TenantContext tenant,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
            @Valid @RequestBody(required = false) @Nullable CreateSandboxRequest request,
            HttpServletRequest http) {
        CreateSandboxRequest body = request == null ? empty() : request;
        if (idempotencyKey == null) {
            return doCreate(tenant, body);
        }
        if (idempotencyKey.isEmpty()
                || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY
                || !idempotencyKey.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            throw new ValidationFailedException("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
        }
        return idempotency.run(
                tenant.tenantId(),
                idempotencyKey,
                RequestFingerprint.of(body),
                http.getRequestURI(),
                () -> doCreate(tenant, body));
    }

    private ResponseEntity<?> doCreate(TenantContext tenant, CreateSandboxRequest body) {
        Sandbox sandbox = sandboxes.create(tenant, body.toNewSandbox());
        AuditTarget.set(sandbox.getId());
        return ResponseEntity.created(URI.create("/v1/sandboxes/" + sandbox.getId()))
                .headers(isolation.headersFor(sandbox.getProvider()))
                .body(SandboxResponse.of(sandbox));
    }

    private static CreateSandboxRequest empty() {
        return new CreateSandboxRequest(null, null, null, null, null, null, null, null, null, null);
    }

    @GetMapping
    Page<SandboxResponse> list(
            TenantContext tenant,
            @RequestParam(required = false) @Nullable SandboxState state,
            @RequestParam(required = false) @Nullable String agentId,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer limit) {
        return sandboxes.list(tenant, state, agentId, cursor, limit).map(SandboxResponse::of);
    }

    @GetMapping("/{sandboxId}")
    ResponseEntity<SandboxResponse> get(TenantContext tenant, @PathVariable String sandboxId) {
        Sandbox sandbox = sandboxes.get(tenant, sandboxId);
        return ResponseEntity.ok()
                .headers(isolation.headersFor(sandbox.getProvider()))
                .body(SandboxResponse.of(sandbox));
    }

    @Audited("sandbox.destroy")
    @DeleteMapping("/{sandboxId}")
    ResponseEntity<SandboxResponse> destroy(TenantContext tenant, @PathVariable String sandboxId) {
        Sandbox sandbox = sandboxes.destroy(tenant, sandboxId);
        return ResponseEntity.ok()
                .headers(isolation.headersFor(sandbox.getProvider()))
                .body(SandboxResponse.of(sandbox));
    }

    @Audited("sandbox.exec")
    @PostMapping(path = "/{sandboxId}/exec", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ExecResponse> exec(
            TenantContext tenant, @PathVariable String sandboxId, @Valid @RequestBody ExecRequest request) {
        Sandbox sandbox = execution.running(tenant, sandboxId);
        ExecResponse response = ExecResponse.of(execution.exec(sandbox, request.toCommand(), ExecOutput.DISCARD));
        return ResponseEntity.ok()
                .headers(isolation.headersFor(sandbox.getProvider()))
                .body(response);
    }

    @Audited("sandbox.exec")
    @PostMapping(path = "/{sandboxId}/exec", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    ResponseEntity<SseEmitter> execStream(
            TenantContext tenant, @PathVariable String sandboxId, @Valid @RequestBody ExecRequest request) {
        Sandbox sandbox = execution.running(tenant, sandboxId);
        SseEmitter emitter = streams.start(sandbox, request.toCommand());
        return ResponseEntity.ok()
                .headers(isolation.headersFor(sandbox.getProvider()))
                .body(emitter);
    }

    @Audited("sandbox.files.write")
    @PutMapping(path = "/{sandboxId}/files", consumes = MediaType.ALL_VALUE)
    ResponseEntity<Void> writeFile(
            TenantContext tenant, @PathVariable String sandboxId, @RequestParam String path, HttpServletRequest http)
            throws IOException {
        Sandbox sandbox = execution.running(tenant, sandboxId);
        long limit = execution.maxFileBytes();
        if (http.getContentLengthLong() > limit) {
            throw new PayloadTooLargeException(limit);
        }
        execution.writeFile(sandbox, path, readAtMost(http.getInputStream(), limit));
        return ResponseEntity.status(HttpStatus.NO_CONTENT)
                .headers(isolation.headersFor(sandbox.getProvider()))
                .build();
    }

    @Audited("sandbox.files.read")
    @GetMapping(path = "/{sandboxId}/files")
    ResponseEntity<byte[]> readFile(TenantContext tenant, @PathVariable String sandboxId, @RequestParam String path) {
        Sandbox sandbox = execution.running(tenant, sandboxId);
        byte[] content = execution.readFile(sandbox, path);
        return ResponseEntity.ok()
                .headers(isolation.headersFor(sandbox.getProvider()))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(content);
    }

    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (content.length > limit) {
            throw new PayloadTooLargeException(limit);
        }
        return content;
    }
}
