package dev.perimeter.tunnel.relay;

import dev.perimeter.shared.Ids;
import dev.perimeter.tunnel.AgentGrant;
import dev.perimeter.tunnel.TunnelFrame;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.BinaryWebSocketHandler;

/** Agents' connections to {@code /v1/tunnels/{id}/connect}, admitted by {@link AgentHandshake}. */
class AgentSocketHandler extends BinaryWebSocketHandler implements SubProtocolCapable {

    private static final Logger log = LoggerFactory.getLogger(AgentSocketHandler.class);
    static final String LINK = AgentLink.class.getName();

    private final LocalAgents agents;
    private final RelayMetrics metrics;

    AgentSocketHandler(LocalAgents agents, RelayMetrics metrics) {
        this.agents = agents;
        this.metrics = metrics;
    }

    /** Agents that offer it get {@code BATCH} messages; the others one frame per message. */
    @Override
    public List<String> getSubProtocols() {
        return List.of(TunnelFrame.BATCHING_PROTOCOL);
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        AgentGrant grant = (AgentGrant) session.getAttributes().get(AgentHandshake.GRANT);
        boolean batching = TunnelFrame.BATCHING_PROTOCOL.equals(session.getAcceptedProtocol());
        AgentLink link = new AgentLink(Ids.next("tcn"), grant, session, metrics, batching);
        session.getAttributes().put(LINK, link);
        agents.add(link);
        log.info("Agent connected to tunnel {} as {}", grant.tunnelId(), link.connectionId());
        try {
            link.send(TunnelFrame.announceReplica(agents.replicaId()));
        } catch (java.io.IOException | RuntimeException e) {
            link.close(CloseStatus.SESSION_NOT_RELIABLE, "could not announce the replica");
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        AgentLink link = (AgentLink) session.getAttributes().get(LINK);
        List<TunnelFrame> frames;
        try {
            frames = TunnelFrame.decodeAll(message.getPayload());
        } catch (IllegalArgumentException e) {
            link.close(CloseStatus.BAD_DATA, "malformed frame");
            return;
        }
        link.received(frames);
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        log.debug("Agent connection failed: {}", exception.toString());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        AgentLink link = (AgentLink) session.getAttributes().get(LINK);
        if (link != null) {
            agents.remove(link, "the tunnel's agent disconnected (" + status.getCode() + ")");
            log.info(
                    "Agent {} of tunnel {} disconnected: {}",
                    link.connectionId(),
                    link.grant().tunnelId(),
                    status);
        }
    }
}
