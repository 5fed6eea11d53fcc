package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.NotFoundException;
import dev.perimeter.tenant.TenantContext;
import dev.perimeter.tunnel.TunnelManagement;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * MCP Streamable HTTP through a tunnel: orchestrators call {@code /v1/tunnels/{id}/mcp} with a tenant key; replicas
 * hand each other calls at {@code /internal/tunnels/{id}/mcp} with the replica secret.
 */
@RestController
class McpRelayController {

    private final TunnelManagement tunnels;
    private final McpRelay relay;
    private final ReplicaForwarder forwarder;

    McpRelayController(TunnelManagement tunnels, McpRelay relay, ReplicaForwarder forwarder) {
        this.tunnels = tunnels;
        this.relay = relay;
        this.forwarder = forwarder;
    }

    @RequestMapping(
            path = "/v1/tunnels/{tunnelId}/mcp",
            method = {RequestMethod.POST, RequestMethod.GET, RequestMethod.DELETE})
    void relay(
            TenantContext tenant,
            @PathVariable String tunnelId,
            HttpServletRequest request,
            HttpServletResponse response)
            throws IOException, InterruptedException {
        boolean authorizationIsTheServers = request.getHeader("X-Perimeter-Key") != null;
        relay.relay(tunnels.relayable(tenant.tenantId(), tunnelId), request, response, authorizationIsTheServers, true);
    }

    @io.swagger.v3.oas.annotations.Hidden
    @RequestMapping(
            path = "/internal/tunnels/{tunnelId}/mcp",
            method = {RequestMethod.POST, RequestMethod.GET, RequestMethod.DELETE})
    void forwarded(@PathVariable String tunnelId, HttpServletRequest request, HttpServletResponse response)
            throws IOException, InterruptedException {
        String tenantId = request.getHeader(ReplicaForwarder.TENANT_HEADER);
        if (!forwarder.authentic(request.getHeader(ReplicaForwarder.SECRET_HEADER)) || tenantId == null) {
            throw new NotFoundException("tunnel", tunnelId);
        }
        boolean authorizationIsTheServers =
                Boolean.parseBoolean(request.getHeader(ReplicaForwarder.AUTHORIZATION_HEADER));
        relay.relay(tunnels.relayable(tenantId, tunnelId), request, response, authorizationIsTheServers, false);
    }
}
