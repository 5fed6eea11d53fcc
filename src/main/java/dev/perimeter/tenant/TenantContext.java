package dev.perimeter.tenant;

/**
 * The tenant an orchestrator's request acts for, resolved once at the web edge from its API key. Services take it as a
 * parameter and scope every query by {@link #tenantId()}.
 *
 * @param tenantId the tenant
 * @param keyId the API key that authenticated the request, for the audit trail
 */
public record TenantContext(String tenantId, String keyId) {}
