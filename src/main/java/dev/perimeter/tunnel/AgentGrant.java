package dev.perimeter.tunnel;

/**
 * What a valid tunnel token admits: one more agent connection.
 *
 * @param tunnelId the tunnel
 * @param tenantId its tenant
 * @param tokenGeneration the token's generation, recorded on the connection
 */
public record AgentGrant(String tunnelId, String tenantId, int tokenGeneration) {}
