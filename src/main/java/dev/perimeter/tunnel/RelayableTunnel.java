package dev.perimeter.tunnel;

/**
 * What the relay needs of a tunnel it may relay calls to.
 *
 * @param id the tunnel's id
 * @param tenantId its tenant
 */
public record RelayableTunnel(String id, String tenantId) {}
