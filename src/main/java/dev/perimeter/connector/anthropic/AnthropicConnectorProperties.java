package dev.perimeter.connector.anthropic;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Claude Managed Agents connector.
 *
 * @param baseUrl the Anthropic API ({@code ANTHROPIC_BASE_URL}); also handed to each worker
 * @param webhookSigningKey the {@code whsec_…} secret of the webhook endpoint ({@code ANTHROPIC_WEBHOOK_SIGNING_KEY});
 *     empty refuses every webhook
 * @param pollInterval how often each bound environment's queue is polled when no webhook wakes it
 * @param blockMs how long one poll waits for work on Anthropic's side (the API allows 1–999 ms)
 * @param reclaimOlderThan handed to the poll as {@code reclaim_older_than_ms}: an item claimed or acknowledged this
 *     long ago without a heartbeat is delivered again
 * @param maxItemsPerPoll how many work items one poll run takes before it gives the lock back
 * @param claimTimeout how long a replica's claim on a work item lasts without renewal before another replica may take
 *     over its sandbox's creation, or the session is ended as having lost the replica that ran its worker
 * @param renewInterval how often a replica renews its claims on the sessions whose workers it runs; well under
 *     {@code claim-timeout}
 * @param watchInterval how often running sessions are checked for a stopped work item or an ended sandbox
 * @param workerMaxRun the longest the worker may run in one sandbox; at most {@code perimeter.sandbox.exec-max-timeout}
 */
@Validated
@ConfigurationProperties("perimeter.connector.anthropic")
public record AnthropicConnectorProperties(
        @NotBlank @DefaultValue("https://api.anthropic.com") String baseUrl,
        @DefaultValue("") String webhookSigningKey,
        @DefaultValue("PT1S") Duration pollInterval,
        @Min(1) @Max(999) @DefaultValue("999") int blockMs,
        @DefaultValue("PT5S") Duration reclaimOlderThan,
        @Min(1) @Max(100) @DefaultValue("10") int maxItemsPerPoll,
        @DefaultValue("PT2M") Duration claimTimeout,
        @DefaultValue("PT30S") Duration renewInterval,
        @DefaultValue("PT10S") Duration watchInterval,
        @DefaultValue("PT1H") Duration workerMaxRun) {}
