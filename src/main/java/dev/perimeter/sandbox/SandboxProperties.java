package dev.perimeter.sandbox;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Platform-wide defaults and limits for sandboxes.
 *
 * @param defaultProvider provider for tenants that name none ({@code SANDBOX_PROVIDER})
 * @param defaultRegion region for tenants and requests that name none ({@code SANDBOX_REGION}); empty for the
 *     provider's first region
 * @param defaultLifetime lifetime of a sandbox whose create names no {@code timeout}
 * @param maxLifetime longest {@code timeout} a create may ask for
 * @param defaultVcpus vCPUs when a create names no resources
 * @param defaultMemoryMib memory when a create names no resources
 * @param execDefaultTimeout timeout of a command that names none
 * @param execMaxTimeout longest timeout a command may ask for
 * @param maxOutput cap of each of stdout and stderr of one command
 * @param maxFileSize largest file that may be written or read through the API
 * @param reaperInterval how often expired sandboxes and snapshots are collected
 * @param quotaRetryAfter the {@code Retry-After} of a {@code quota-exceeded} answer
 * @param meterInterval how often running sandboxes and stored snapshots are metered into the usage ledger
 * @param recountInterval how often the admission counters are recounted from the sandbox rows
 * @param reconcileInterval how often each provider's sandboxes are compared with the rows
 */
@ConfigurationProperties("perimeter.sandbox")
public record SandboxProperties(
        @DefaultValue("local") String defaultProvider,
        @DefaultValue("") String defaultRegion,
        @DefaultValue("PT15M") Duration defaultLifetime,
        @DefaultValue("PT24H") Duration maxLifetime,
        @DefaultValue("1") int defaultVcpus,
        @DefaultValue("1024") int defaultMemoryMib,
        @DefaultValue("PT60S") Duration execDefaultTimeout,
        @DefaultValue("PT1H") Duration execMaxTimeout,
        @DefaultValue("1MB") DataSize maxOutput,
        @DefaultValue("64MB") DataSize maxFileSize,
        @DefaultValue("PT15S") Duration reaperInterval,
        @DefaultValue("PT5S") Duration quotaRetryAfter,
        @DefaultValue("PT10S") Duration meterInterval,
        @DefaultValue("PT5M") Duration recountInterval,
        @DefaultValue("PT1M") Duration reconcileInterval) {}
