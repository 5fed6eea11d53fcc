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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * The relay's HTTP endpoint: MCP Streamable HTTP through a tunnel. Orchestrators call {@code /v1/tunnels/{id}/mcp}
 * with a tenant key; replicas hand each other calls at {@code /internal/tunnels/{id}/mcp} with the replica secret.
 *
 * <p>A relayed call is a proxy hop, not a REST resource, so it is answered by this servlet filter, after correlation
 * ids and the {@code http.server.requests} observation but ahead of Spring Security's filter chain and Spring MVC:
 * those two cost about a third of a relayed call's CPU and did nothing a proxy needs (see {@code bench/README.md}).
 * What they did for these paths is done here with the same parts: the same {@link HttpFirewall}, the same key check
 * ({@link ApiKeyAuthenticator}, tenant keys only), and errors rendered by the same problem handler.
 */
class McpRelayFilter extends OncePerRequestFilter {

    /** The relay's paths; anything else, such as a path with encoded characters, goes on to the usual chain. */
    private static final Pattern PATH = Pattern.compile("/(v1|internal)/tunnels/([^/]+)/mcp");

    private static final Set<String> METHODS = Set.of("POST", "GET", "DELETE");

    private final TunnelManagement tunnels;
    private final McpRelay relay;
    private final ReplicaForwarder forwarder;
    private final ApiKeyAuthenticator authenticator;
    private final HttpFirewall firewall;
    private final RequestRejectedHandler rejected;
    private final HandlerExceptionResolver problems;

    McpRelayFilter(
            TunnelManagement tunnels,
            McpRelay relay,
            ReplicaForwarder forwarder,
            ApiKeyAuthenticator authenticator,
            HttpFirewall firewall,
            RequestRejectedHandler rejected,
            HandlerExceptionResolver problems) {
        this.tunnels = tunnels;
        this.relay = relay;
        this.forwarder = forwarder;
        this.authenticator = authenticator;
        this.firewall = firewall;
        this.rejected = rejected;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !path.endsWith("/mcp") || !PATH.matcher(path).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        HttpServletRequest checked;
        try {
            checked = firewall.getFirewalledRequest(request);
        } catch (RequestRejectedException e) {
            rejected.handle(request, response, e);
            return;
        }
        Matcher path = PATH.matcher(checked.getRequestURI());
        if (!path.matches()) {
            chain.doFilter(request, response);
            return;
        }
        boolean fromOrchestrator = path.group(1).equals("v1");
        ServerHttpObservationFilter.findObservationContext(checked)
                .ifPresent(observation -> observation.setPathPattern("/" + path.group(1) + "/tunnels/{tunnelId}/mcp"));
        try {
            if (fromOrchestrator) {
                relayForTenant(path.group(2), checked, response);
            } else {
                relayForReplica(path.group(2), checked, response);
            }
        } catch (RelayAbortedException e) {
            throw e; // the response has started: the container ends the exchange
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer(checked, response, e);
        } catch (Exception e) {
            answer(checked, response, e);
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
            throw new HttpRequestMethodNotSupportedException(request.getMethod(), List.of("GET", "POST", "DELETE"));
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
