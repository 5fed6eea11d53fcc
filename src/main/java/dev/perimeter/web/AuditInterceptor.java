package dev.perimeter.web;

import dev.perimeter.audit.AuditEvent;
import dev.perimeter.audit.AuditOutcome;
import dev.perimeter.audit.AuditTarget;
import dev.perimeter.audit.AuditTrail;
import dev.perimeter.audit.Audited;
import dev.perimeter.shared.CorrelationId;
import dev.perimeter.tenant.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Writes one audit event for each call of an {@link Audited} controller method once its response is decided, whether
 * the call succeeded or was refused. The caller is captured when the call starts, because an asynchronous dispatch
 * (a streamed exec) finishes without the authentication filter.
 */
class AuditInterceptor implements HandlerInterceptor {

    /** Request attribute the problem handler sets to the problem's slug. */
    static final String PROBLEM_ATTRIBUTE = AuditInterceptor.class.getName() + ".problem";

    private static final String CALLER_ATTRIBUTE = AuditInterceptor.class.getName() + ".caller";
    private static final List<String> TARGET_VARIABLES =
            List.of("keyId", "snapshotId", "sandboxId", "tunnelId", "id", "provider", "environmentId", "tenantId");

    private final AuditTrail trail;

    AuditInterceptor(AuditTrail trail) {
        this.trail = trail;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (audited(handler) != null && request.getAttribute(CALLER_ATTRIBUTE) == null) {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication != null && authentication.getPrincipal() instanceof Caller caller) {
                request.setAttribute(CALLER_ATTRIBUTE, caller);
            }
        }
        return true;
    }

    @Override
    public void afterCompletion(
            HttpServletRequest request, HttpServletResponse response, Object handler, @Nullable Exception ex) {
        Audited audited = audited(handler);
        if (audited == null) {
            return;
        }
        int status = ex != null && response.getStatus() < 400 ? 500 : response.getStatus();
        Caller caller = (Caller) request.getAttribute(CALLER_ATTRIBUTE);
        Map<String, String> variables = pathVariables(request);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("method", request.getMethod());
        details.put("status", status);
        if (request.getAttribute(PROBLEM_ATTRIBUTE) instanceof String problem) {
            details.put("problem", problem);
        }
        AuditEvent event = new AuditEvent(
                caller != null ? caller.keyId() : "anonymous",
                tenantOf(request, caller, variables),
                audited.value(),
                targetOf(request, variables),
                AuditOutcome.ofStatus(status),
                details);
        String correlationId = response.getHeader(CorrelationId.HEADER);
        trail.record(event, correlationId != null ? correlationId : CorrelationId.current());
    }

    private static @Nullable Audited audited(Object handler) {
        return handler instanceof HandlerMethod method ? method.getMethodAnnotation(Audited.class) : null;
    }

    private static @Nullable String tenantOf(
            HttpServletRequest request, @Nullable Caller caller, Map<String, String> variables) {
        if (caller != null && caller.tenantId() != null) {
            return caller.tenantId();
        }
        if (request.getAttribute(AuditTarget.TENANT_ATTRIBUTE) instanceof String tenant) {
            return tenant;
        }
        return variables.get("tenantId");
    }

    private static @Nullable String targetOf(HttpServletRequest request, Map<String, String> variables) {
        if (request.getAttribute(AuditTarget.TARGET_ATTRIBUTE) instanceof String target) {
            return target;
        }
        return TARGET_VARIABLES.stream()
                .map(variables::get)
                .filter(value -> value != null)
                .findFirst()
                .orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> pathVariables(HttpServletRequest request) {
        Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        return variables instanceof Map<?, ?> map ? (Map<String, String>) map : Map.of();
    }
}
