package dev.perimeter.web;

import dev.perimeter.shared.LogContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Puts the sandbox a request names in its path ({@code {sandboxId}}) in the logging context, and the tenant an admin
 * request names ({@code {tenantId}}) when the key did not already fix it. Only id-shaped values are logged, so a
 * hostile path cannot forge log lines; {@link CorrelationIdFilter} clears them at the end of the request.
 */
class LogContextInterceptor implements HandlerInterceptor {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables) {
            if (variables.get("sandboxId") instanceof String sandboxId
                    && ID.matcher(sandboxId).matches()) {
                MDC.put(LogContext.SANDBOX_ID, sandboxId);
            }
            if (MDC.get(LogContext.TENANT_ID) == null
                    && variables.get("tenantId") instanceof String tenantId
                    && ID.matcher(tenantId).matches()) {
                MDC.put(LogContext.TENANT_ID, tenantId);
            }
        }
        return true;
    }
}
