package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.NotFoundException;
import dev.perimeter.tenant.Caller;
import dev.perimeter.tunnel.TunnelManagement;
import dev.perimeter.web.ApiKeyAuthenticator;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * The relay's HTTP endpoint: MCP Streamable HTTP through a tunnel. Orchestrators call {@code /v1/tunnels/{id}/mcp}
 * with a tenant key; replicas hand each other calls at {@code /internal/tunnels/{id}/mcp} with the replica secret.
 *
 * <p>A relayed call is a proxy hop, not a REST resource, so it is answered by this servlet filter, right after
 * correlation ids and ahead of Spring Security's filter chain and Spring MVC, which did nothing a proxy needs and cost
 * a large share of a relayed call's CPU (see {@code bench/README.md}). What they did for these paths is done here: the
 * same key check ({@link ApiKeyAuthenticator}, tenant keys only), errors rendered by the same problem handler, and
 * the firewall's guard on the path by {@link #PATH} alone. Header values bound for the private server are checked by
 * {@link RelayedRequest}. The calls are measured by the {@code perimeter.tunnel.*} metrics, not as {@code
 * http.server.requests} ({@link RelayConfiguration}).
 */
class McpRelayFilter extends OncePerRequestFilter {

    /**
     * The relay's paths, matched on the raw URI. A tunnel id is letters, digits, {@code _} and {@code -}, so a path
     * with anything the firewall guards against (encoded characters, dots, {@code ;} parameters, double slashes) is
     * not the relay's and goes on to the usual chain, firewall first.
     */
    private static final Pattern PATH = Pattern.compile("/(v1|internal)/tunnels/([A-Za-z0-9_-]{1,128})/mcp");

    private static final List<String> METHODS = List.of("GET", "POST", "DELETE");

    private final TunnelManagement tunnels;
    private final McpRelay relay;
    private final ReplicaForwarder forwarder;
    private final ApiKeyAuthenticator authenticator;
    private final HandlerExceptionResolver problems;

    McpRelayFilter(
            TunnelManagement tunnels,
            McpRelay relay,
            ReplicaForwarder forwarder,
            ApiKeyAuthenticator authenticator,
            HandlerExceptionResolver problems) {
        this.tunnels = tunnels;
        this.relay = relay;
        this.forwarder = forwarder;
        this.authenticator = authenticator;
        this.problems = problems;
    }

    /** Whether this filter answers the request. */
    static boolean handles(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.endsWith("/mcp") && PATH.matcher(path).matches();
    }

    /** Only a cheap look here: {@link #doFilterInternal} matches the path once and lets anything else go on. */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().endsWith("/mcp");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Matcher path = PATH.matcher(request.getRequestURI());
        if (!path.matches()) {
            chain.doFilter(request, response);
            return;
        }
        try {
            if (path.group(1).equals("v1")) {
                relayForTenant(path.group(2), request, response);
            } else {
                relayForReplica(path.group(2), request, response);
            }
        } catch (RelayAbortedException e) {
            throw e; // the response has started: the container ends the exchange
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer(request, response, e);
        } catch (Exception e) {
            answer(request, response, e);
        }
    }

    private void relayForTenant(String tunnelId, HttpServletRequest request, HttpServletResponse response)
            throws Exception {
        Caller caller = authenticator.tenantOrRefuse(request, response);
        if (caller == null) {
            return;
        }
        checkMethod(request);
        relay.relay(
                tunnels.relayable(caller.tenantContext().tenantId(), tunnelId),
                request,
                response,
                ApiKeyAuthenticator.keyInOwnHeader(request),
                true);
    }

    private void relayForReplica(String tunnelId, HttpServletRequest request, HttpServletResponse response)
            throws Exception {
        String tenantId = request.getHeader(ReplicaForwarder.TENANT_HEADER);
        if (!forwarder.authentic(request.getHeader(ReplicaForwarder.SECRET_HEADER)) || tenantId == null) {
            throw new NotFoundException("tunnel", tunnelId);
        }
        checkMethod(request);
        boolean authorizationIsTheServers =
                Boolean.parseBoolean(request.getHeader(ReplicaForwarder.AUTHORIZATION_HEADER));
        relay.relay(tunnels.relayable(tenantId, tunnelId), request, response, authorizationIsTheServers, false);
    }

    private static void checkMethod(HttpServletRequest request) throws HttpRequestMethodNotSupportedException {
        if (!METHODS.contains(request.getMethod())) {
            throw new HttpRequestMethodNotSupportedException(request.getMethod(), METHODS);
        }
    }

    /** Answers with the problem Spring MVC's handler would give the exception, or rethrows what it cannot answer. */
    private void answer(HttpServletRequest request, HttpServletResponse response, Exception e)
            throws ServletException, IOException {
        if (response.isCommitted() || problems.resolveException(request, response, null, e) == null) {
            if (e instanceof IOException io) {
                throw io;
            }
            throw new ServletException(e);
        }
    }
}
