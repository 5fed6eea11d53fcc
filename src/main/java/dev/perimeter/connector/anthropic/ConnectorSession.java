package dev.perimeter.connector.anthropic;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One Anthropic session's work item and the sandbox that runs it.
 *
 * @param id Perimeter's id ({@code asess_…})
 * @param bindingId the environment binding it came from
 * @param tenantId the tenant it runs for
 * @param environmentId Anthropic's environment
 * @param workId Anthropic's work item ({@code work_…}); unique
 * @param sessionId Anthropic's session ({@code sesn_…})
 * @param sandboxId the sandbox, once created
 * @param state {@code PENDING} (recorded), {@code WAITING} (refused for now: quota, budget or an unavailable
 *     provider; retried when the item is delivered again), {@code PROVISIONING}, {@code RUNNING}, {@code ENDED} or
 *     {@code FAILED}
 * @param reason why it waits, ended or failed
 * @param correlationId the correlation id of the poll that took it
 * @param createdAt when the item was first taken
 * @param startedAt when its sandbox ran the worker
 * @param endedAt when it ended
 */
public record ConnectorSession(
        String id,
        String bindingId,
        String tenantId,
        String environmentId,
        String workId,
        String sessionId,
        @Nullable String sandboxId,
        String state,
        @Nullable String reason,
        String correlationId,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant endedAt) {}
