package dev.perimeter.web;

import dev.perimeter.shared.CorrelationId;
import dev.perimeter.shared.LogContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * First filter of every request: takes the caller's {@code X-Correlation-Id} (1–128 visible ASCII characters) or makes
 * one, puts it in the logging context for every line of the request and echoes it on the response. At the end it
 * clears the request's whole {@link LogContext}. An error dispatch keeps the id its request was answered with.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class CorrelationIdFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String answered = response.getHeader(CorrelationId.HEADER); // an error dispatch after the request's own
        String supplied = request.getHeader(CorrelationId.HEADER);
        String id = answered != null
                ? answered
                : supplied != null && CorrelationId.isValid(supplied) ? supplied : CorrelationId.generate();
        MDC.put(CorrelationId.KEY, id);
        response.setHeader(CorrelationId.HEADER, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(CorrelationId.KEY);
            MDC.remove(LogContext.TENANT_ID);
            MDC.remove(LogContext.SANDBOX_ID);
        }
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    /**
     * The servlet container's error dispatch (to {@link ProblemErrorController}) runs under the request's id too, also
     * when Tomcat refused the request before any filter ran.
     */
    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }
}
