package dev.perimeter.cost.web;

import dev.perimeter.cost.UsageLedger;
import dev.perimeter.shared.Money;
import dev.perimeter.shared.ValidationFailedException;
import dev.perimeter.tenant.Budget;
import dev.perimeter.tenant.NoSuchTenantException;
import dev.perimeter.tenant.TenantContext;
import dev.perimeter.tenant.TenantManagement;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Usage reports from the ledger: an admin reads any tenant's, an orchestrator its own. The window defaults to the
 * current budget period up to now, and spans at most 366 days.
 */
@RestController
class UsageController {

    private static final Duration LONGEST_WINDOW = Duration.ofDays(366);

    private final UsageLedger ledger;
    private final TenantManagement tenants;
    private final Clock clock;

    UsageController(UsageLedger ledger, TenantManagement tenants, Clock clock) {
        this.ledger = ledger;
        this.tenants = tenants;
        this.clock = clock;
    }

    @GetMapping("/v1/tenants/{tenantId}/usage")
    UsageResponse tenantUsage(
            @PathVariable String tenantId,
            @RequestParam(required = false) @Nullable Instant from,
            @RequestParam(required = false) @Nullable Instant to) {
        if (!tenants.exists(tenantId)) {
            throw new NoSuchTenantException(tenantId);
        }
        return usage(tenantId, from, to);
    }

    @GetMapping("/v1/usage")
    UsageResponse ownUsage(
            TenantContext tenant,
            @RequestParam(required = false) @Nullable Instant from,
            @RequestParam(required = false) @Nullable Instant to) {
        return usage(tenant.tenantId(), from, to);
    }

    private UsageResponse usage(String tenantId, @Nullable Instant from, @Nullable Instant to) {
        Instant now = clock.instant();
        Instant end = to != null ? to : now;
        Instant start = from != null
                ? from
                : Budget.Period.MONTHLY
                        .startOf(now)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
        if (!start.isBefore(end)) {
            throw new ValidationFailedException("from", "must be before to");
        }
        if (Duration.between(start, end).compareTo(LONGEST_WINDOW) > 0) {
            throw new ValidationFailedException(
                    "to", "must be at most " + LONGEST_WINDOW.toDays() + " days after from");
        }
        List<UsageLedger.ProviderUsage> usage = ledger.usage(tenantId, start, end);
        List<ProviderUsageResponse> providers =
                usage.stream().map(ProviderUsageResponse::of).toList();
        BigDecimal total =
                usage.stream().map(UsageLedger.ProviderUsage::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new UsageResponse(
                tenantId, start, end, providers, Money.format(total), Money.format(ledger.spentThisPeriod(tenantId)));
    }

    /** A tenant's usage in a window, per provider, and its spend in the current budget period. */
    record UsageResponse(
            String tenantId,
            Instant from,
            Instant to,
            List<ProviderUsageResponse> providers,
            String costUsd,
            String spentThisPeriodUsd) {}

    /** One provider's usage; seconds are decimal numbers, money decimal strings. */
    record ProviderUsageResponse(
            String provider,
            long sandboxesCreated,
            BigDecimal sandboxSeconds,
            BigDecimal vcpuSeconds,
            BigDecimal memoryGibSeconds,
            BigDecimal gpuSeconds,
            String snapshotCostUsd,
            String costUsd) {

        static ProviderUsageResponse of(UsageLedger.ProviderUsage usage) {
            return new ProviderUsageResponse(
                    usage.provider(),
                    usage.sandboxesCreated(),
                    usage.sandboxSeconds(),
                    usage.vcpuSeconds(),
                    usage.memoryGibSeconds(),
                    usage.gpuSeconds(),
                    Money.format(usage.snapshotCostUsd()),
                    Money.format(usage.costUsd()));
        }
    }
}
