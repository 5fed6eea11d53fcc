/**
 * Tenants and their API keys: who may call, for which tenant. {@link dev.perimeter.tenant.TenantContext} is what the
 * web edge hands to every data-plane service.
 */
@NullMarked
package dev.perimeter.tenant;

import org.jspecify.annotations.NullMarked;
