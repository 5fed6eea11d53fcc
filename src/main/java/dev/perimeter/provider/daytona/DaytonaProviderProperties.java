package dev.perimeter.provider.daytona;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the {@code daytona} provider. The provider is registered only when {@code api-key} is set.
 *
 * @param apiKey the Daytona API key ({@code DAYTONA_API_KEY}); never logged, never stored
 * @param apiUrl the Daytona API base URL ({@code DAYTONA_API_URL})
 * @param target the region sandboxes go to when a request names none ({@code DAYTONA_TARGET}); also offered as a
 *     region
 * @param regions the Daytona targets offered as Perimeter regions
 * @param connection how patient to be with Daytona
 * @param sandbox defaults for every sandbox
 */
@Validated
@ConfigurationProperties("perimeter.providers.daytona")
record DaytonaProviderProperties(
        @Nullable String apiKey,
        @DefaultValue("https://app.daytona.io/api") @NotNull URI apiUrl,
        @Nullable String target,
        @DefaultValue({"us", "eu"}) @NotEmpty Set<@NotBlank String> regions,
        @DefaultValue @Valid Connection connection,
        @DefaultValue @Valid Sandbox sandbox) {

    /** Whether the provider can be registered. */
    boolean configured() {
        return apiKey != null && !apiKey.isBlank();
    }

    /** The regions offered: the configured ones plus {@code target}. */
    Set<String> offeredRegions() {
        if (target == null || target.isBlank() || regions.contains(target)) {
            return Set.copyOf(regions);
        }
        var all = new java.util.TreeSet<>(regions);
        all.add(target);
        return Set.copyOf(all);
    }

    @Override
    public String toString() {
        return "DaytonaProviderProperties[apiKey=" + (configured() ? "[redacted]" : "(unset)") + ", apiUrl=" + apiUrl
                + ", target=" + target + ", regions=" + regions + ", connection=" + connection + ", sandbox="
                + sandbox + "]";
    }

    /**
     * Timeouts, retries and the circuit breaker of calls to Daytona.
     *
     * @param connectTimeout to open a connection
     * @param requestTimeout to receive a response's headers
     * @param maxAttempts attempts of an idempotent call, the first included
     * @param initialBackoff the first retry's backoff ceiling; it doubles per attempt, with full jitter
     * @param maxRetryAfter the longest {@code Retry-After} waited for; a longer one answers 503 at once
     * @param breakerWindow calls the circuit breaker looks at
     * @param breakerOpenFor how long an open breaker refuses calls
     * @param pollInterval between looks at a sandbox or snapshot that is still starting
     * @param startTimeout how long a create waits for the sandbox to start before answering it as provisioning
     * @param snapshotTimeout how long a snapshot may take to become active
     */
    record Connection(
            @DefaultValue("5s") @NotNull Duration connectTimeout,
            @DefaultValue("30s") @NotNull Duration requestTimeout,
            @DefaultValue("3") @Min(1) int maxAttempts,
            @DefaultValue("200ms") @NotNull Duration initialBackoff,
            @DefaultValue("10s") @NotNull Duration maxRetryAfter,
            @DefaultValue("20") @Min(1) int breakerWindow,
            @DefaultValue("30s") @NotNull Duration breakerOpenFor,
            @DefaultValue("1s") @NotNull Duration pollInterval,
            @DefaultValue("2m") @NotNull Duration startTimeout,
            @DefaultValue("10m") @NotNull Duration snapshotTimeout) {}

    /**
     * What every Daytona sandbox gets.
     *
     * @param workspace the directory inside the sandbox that Perimeter's relative paths and commands start from
     * @param diskGb disk size in GB
     * @param autoStopGrace added to the sandbox's lifetime to make Daytona's auto-stop interval, so Daytona stops (and
     *     then deletes) a sandbox only after Perimeter should already have destroyed it
     */
    record Sandbox(
            @DefaultValue("/home/daytona") @NotBlank String workspace,
            @DefaultValue("3") @Min(1) int diskGb,
            @DefaultValue("5m") @NotNull Duration autoStopGrace) {}
}
