package dev.perimeter.connector.anthropic.web;

import dev.perimeter.audit.AuditTarget;
import dev.perimeter.audit.Audited;
import dev.perimeter.connector.anthropic.ConnectorSession;
import dev.perimeter.connector.anthropic.ConnectorSessions;
import dev.perimeter.connector.anthropic.EnvironmentBinding;
import dev.perimeter.connector.anthropic.EnvironmentBindings;
import dev.perimeter.shared.Page;
import dev.perimeter.shared.ValidationFailedException;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Admin endpoints of the Claude Managed Agents connector: environment bindings and the sessions they run. */
@RestController
@RequestMapping("/v1/connectors/anthropic")
class EnvironmentController {

    private final EnvironmentBindings bindings;
    private final ConnectorSessions sessions;
    private final JsonMapper json;
    private final Validator validator;

    EnvironmentController(
            EnvironmentBindings bindings, ConnectorSessions sessions, JsonMapper json, Validator validator) {
        this.bindings = bindings;
        this.sessions = sessions;
        this.json = json;
        this.validator = validator;
    }

    @PostMapping("/environments")
    @Audited("anthropic.environment.bind")
    ResponseEntity<EnvironmentResponse> create(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(schema = @Schema(implementation = CreateEnvironmentRequest.class)))
                    @RequestBody
                    JsonNode body) {
        CreateEnvironmentRequest request = parse(body);
        EnvironmentBinding binding = bindings.create(request.toNewBinding());
        AuditTarget.set(binding.id(), binding.tenantId());
        return ResponseEntity.created(URI.create("/v1/connectors/anthropic/environments/" + binding.id()))
                .body(EnvironmentResponse.of(binding, 0));
    }

    @GetMapping("/environments")
    Page<EnvironmentResponse> list(
            @RequestParam(required = false) @Nullable String tenantId,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer limit) {
        return bindings.list(tenantId, cursor, limit).map(this::toResponse);
    }

    @GetMapping("/environments/{id}")
    EnvironmentResponse get(@PathVariable String id) {
        return toResponse(bindings.get(id));
    }

    @DeleteMapping("/environments/{id}")
    @Audited("anthropic.environment.unbind")
    EnvironmentResponse delete(@PathVariable String id) {
        EnvironmentBinding binding = bindings.delete(id);
        AuditTarget.set(binding.id(), binding.tenantId());
        return toResponse(binding);
    }

    @GetMapping("/sessions")
    Page<ConnectorSession> sessions(
            @RequestParam(required = false) @Nullable String tenantId,
            @RequestParam(required = false) @Nullable String state,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable Integer limit) {
        return sessions.list(tenantId, state == null ? null : state.toUpperCase(Locale.ROOT), cursor, limit);
    }

    private EnvironmentResponse toResponse(EnvironmentBinding binding) {
        return EnvironmentResponse.of(binding, bindings.sessionsRunning(binding.id()));
    }

    private CreateEnvironmentRequest parse(JsonNode body) {
        if (!body.isObject()) {
            throw new ValidationFailedException("body", "must be a JSON object");
        }
        List<ValidationFailedException.FieldError> unknown = body.propertyNames().stream()
                .filter(name -> !CreateEnvironmentRequest.FIELDS.contains(name))
                .map(name -> new ValidationFailedException.FieldError(
                        name.matches("[A-Za-z][A-Za-z0-9]{0,63}") ? name : "body",
                        "is not a field of this request; the environment key is never accepted, send"
                                + " environmentKeyRef"))
                .toList();
        if (!unknown.isEmpty()) {
            throw new ValidationFailedException(unknown);
        }
        KeyLikeValues.refuse(body);
        CreateEnvironmentRequest request;
        try {
            request = json.treeToValue(body, CreateEnvironmentRequest.class);
        } catch (JacksonException e) {
            throw new ValidationFailedException("body", "has a field of the wrong type");
        }
        Set<ConstraintViolation<CreateEnvironmentRequest>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw new ValidationFailedException(violations.stream()
                    .map(v -> new ValidationFailedException.FieldError(
                            v.getPropertyPath().toString(), v.getMessage()))
                    .sorted(Comparator.comparing(ValidationFailedException.FieldError::field))
                    .toList());
        }
        return request;
    }
}
