package dev.perimeter.tenant;

import java.math.BigDecimal;

/** Live usage figures of a tenant, provided by the module that owns sandboxes and their metering. */
public interface TenantUsage {

    /** Sandboxes not yet {@code DESTROYED} or {@code FAILED}. */
    long activeSandboxes(String tenantId);

    /** What the tenant has spent in the current budget period (a calendar month in UTC), in USD. */
    BigDecimal spentThisPeriodUsd(String tenantId);
}
