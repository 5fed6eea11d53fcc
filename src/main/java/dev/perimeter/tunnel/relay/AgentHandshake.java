package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.PerimeterException;
import dev.perimeter.shared.Problems;
import dev.perimeter.tunnel.AgentGrant;
import dev.perimeter.tunnel.TunnelFrame;
import dev.perimeter.tunnel.TunnelManagement;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.server.HandshakeInterceptor;
import tools.jackson.databind.json.JsonMapper;

/**
 * Admits an agent's WebSocket upgrade only with the tunnel's current token ({@code Authorization: Bearer <tunnel
 * token>}); anything else is a 401 problem before the upgrade, and a tunnel of another region a 403. An agent that
 * names this replica in {@link TunnelFrame#AVOID_REPLICAS_HEADER} (another of its connections is here) gets a 409
 * once its token is good, and dials again to reach another replica. A good token on a request that is not a WebSocket
 * upgrade gets a problem too (400, 405, or 426 for another protocol version).
 */
class AgentHandshake implements HandshakeInterceptor {

    static final String GRANT = AgentGrant.class.getName();
    private static final String BEARER = "Bearer ";
    private static final String WEBSOCKET_VERSION = "13";

    private final TunnelManagement tunnels;
    private final LocalAgents agents;
    private final RelayMetrics metrics;
    private final JsonMapper json;

    AgentHandshake(TunnelManagement tunnels, LocalAgents agents, RelayMetrics metrics, JsonMapper json) {
        this.tunnels = tunnels;
        this.agents = agents;
        this.metrics = metrics;
        this.json = json;
    }

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes) {
        String path = request.getURI().getPath();
        String[] parts = path.split("/");
        String tunnelId = parts.length == 5 ? parts[3] : "";
        Optional<AgentGrant> grant;
        try {
            grant = tunnels.admitAgent(tunnelId, bearer(request.getHeaders()));
        } catch (PerimeterException e) {
            metrics.rejected(e.slug());
            refuse(response, path, e.getBody());
            return false;
        }
        if (grant.isEmpty()) {
            metrics.rejected("agent-unauthorized");
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.UNAUTHORIZED, "Send the tunnel's current token as 'Authorization: Bearer <token>'");
            problem.setType(PerimeterException.typeOf("unauthorized"));
            problem.setTitle("Unauthorized");
            refuse(response, path, problem);
            return false;
        }
        ProblemDetail notAnUpgrade = notAWebSocketUpgrade(request, response);
        if (notAnUpgrade != null) {
            metrics.rejected("not-an-upgrade");
            refuse(response, path, notAnUpgrade);
            return false;
        }
        if (avoided(request.getHeaders())) {
            metrics.rejected("replica-held");
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.CONFLICT,
                    "Another connection of this agent is on this replica; dial again to reach another one");
            problem.setType(PerimeterException.typeOf("tunnel-replica-held"));
            problem.setTitle("Replica already held");
            refuse(response, path, problem);
            return false;
        }
        attributes.put(GRANT, grant.get());
        return true;
    }

    /**
     * Why an authenticated agent's request is not a WebSocket upgrade this server accepts, or {@code null}: the checks
     * Spring's handshake handler would make, answered as problems instead of its bare statuses.
     */
    private static @Nullable ProblemDetail notAWebSocketUpgrade(
            ServerHttpRequest request, ServerHttpResponse response) {
        HttpHeaders headers = request.getHeaders();
        if (request.getMethod() != HttpMethod.GET) {
            response.getHeaders().setAllow(Set.of(HttpMethod.GET));
            return ProblemDetail.forStatusAndDetail(
                    HttpStatus.METHOD_NOT_ALLOWED, "An agent connects with a GET that asks to upgrade");
        }
        if (!"websocket".equalsIgnoreCase(headers.getUpgrade())) {
            return ProblemDetail.forStatusAndDetail(
                    HttpStatus.BAD_REQUEST, "An agent connects with 'Upgrade: websocket'");
        }
        if (headers.getConnection().stream().noneMatch("upgrade"::equalsIgnoreCase)) {
            return ProblemDetail.forStatusAndDetail(
                    HttpStatus.BAD_REQUEST, "An agent connects with 'Connection: Upgrade'");
        }
        if (headers.getFirst(WebSocketHttpHeaders.SEC_WEBSOCKET_KEY) == null) {
            return ProblemDetail.forStatusAndDetail(
                    HttpStatus.BAD_REQUEST, "An agent connects with a 'Sec-WebSocket-Key'");
        }
        if (!WEBSOCKET_VERSION.equals(headers.getFirst(WebSocketHttpHeaders.SEC_WEBSOCKET_VERSION))) {
            response.getHeaders().set(WebSocketHttpHeaders.SEC_WEBSOCKET_VERSION, WEBSOCKET_VERSION);
            return ProblemDetail.forStatusAndDetail(
                    HttpStatus.UPGRADE_REQUIRED, "This server speaks WebSocket version 13 only");
        }
        return null;
    }

    private boolean avoided(HttpHeaders headers) {
        String avoid = headers.getFirst(TunnelFrame.AVOID_REPLICAS_HEADER);
        if (avoid == null || avoid.length() > 4096) {
            return false;
        }
        for (String replica : avoid.split(",")) {
            if (replica.strip().equals(agents.replicaId())) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable String bearer(HttpHeaders headers) {
        String header = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return header.substring(BEARER.length()).strip();
        }
        return null;
    }

    private void refuse(ServerHttpResponse response, String path, ProblemDetail problem) {
        response.setStatusCode(HttpStatus.valueOf(problem.getStatus()));
        response.getHeaders().setContentType(MediaType.parseMediaType(Problems.MEDIA_TYPE));
        try {
            response.getBody().write(json.writeValueAsBytes(Problems.body(problem, path)));
        } catch (java.io.IOException e) {
            // the agent is gone
        }
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            @Nullable Exception exception) {}
}
