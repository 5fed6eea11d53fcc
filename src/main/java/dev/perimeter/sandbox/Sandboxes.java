package dev.perimeter.sandbox;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

/**
 * All sandboxes. Reads of tenant data are scoped by tenant; state changes are conditional updates that answer how
 * many rows moved (0 when another request or replica got there first).
 */
interface Sandboxes extends JpaRepository<Sandbox, String> {

    Optional<Sandbox> findByIdAndTenantId(String id, String tenantId);

    long countByTenantIdAndStateIn(String tenantId, Collection<SandboxState> states);

    List<Sandbox> findByTenantIdAndStateIn(String tenantId, Collection<SandboxState> states);

    List<Sandbox> findByProviderAndStateAndReadyAtBefore(String provider, SandboxState state, Instant readyBefore);

    @Query(
            """
            select s from Sandbox s
            where s.tenantId = :tenantId
              and (:state is null or s.state = :state)
              and (:agentId is null or s.agentId = :agentId)
              and (s.createdAt < :afterCreatedAt or (s.createdAt = :afterCreatedAt and s.id < :afterId))
            order by s.createdAt desc, s.id desc
            limit :limit""")
    List<Sandbox> page(
            String tenantId,
            @Nullable SandboxState state,
            @Nullable String agentId,
            Instant afterCreatedAt,
            String afterId,
            int limit);

    @Query(
            """
            select s from Sandbox s
            where s.state in (dev.perimeter.sandbox.SandboxState.PROVISIONING, dev.perimeter.sandbox.SandboxState.RUNNING)
              and s.expiresAt <= :now
            order by s.expiresAt
            limit :limit""")
    List<Sandbox> expired(Instant now, int limit);

    @Query(
            """
            select s from Sandbox s
            where s.state = dev.perimeter.sandbox.SandboxState.DESTROYING
            order by s.createdAt
            limit :limit""")
    List<Sandbox> destroying(int limit);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(
            """
            update Sandbox s set s.state = dev.perimeter.sandbox.SandboxState.RUNNING,
                s.providerRef = :providerRef, s.readyAt = :now
            where s.id = :id and s.state = dev.perimeter.sandbox.SandboxState.PROVISIONING""")
    int markRunning(String id, String providerRef, Instant now);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(
            """
            update Sandbox s set s.providerRef = :providerRef
            where s.id = :id and s.state = dev.perimeter.sandbox.SandboxState.PROVISIONING""")
    int recordProviderRef(String id, String providerRef);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(
            """
            update Sandbox s set s.state = dev.perimeter.sandbox.SandboxState.FAILED, s.endedAt = :now,
                s.endReason = :reason
            where s.id = :id and s.state in (dev.perimeter.sandbox.SandboxState.PROVISIONING,
                dev.perimeter.sandbox.SandboxState.RUNNING)""")
    int markFailed(String id, String reason, Instant now);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(
            """
            update Sandbox s set s.state = dev.perimeter.sandbox.SandboxState.DESTROYING, s.endReason = :reason
            where s.id = :id and s.state in (dev.perimeter.sandbox.SandboxState.PROVISIONING,
                dev.perimeter.sandbox.SandboxState.RUNNING)""")
    int markDestroying(String id, String reason);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(
            """
            update Sandbox s set s.state = dev.perimeter.sandbox.SandboxState.DESTROYED, s.endedAt = :now
            where s.id = :id and s.state = dev.perimeter.sandbox.SandboxState.DESTROYING""")
    int markDestroyed(String id, Instant now);
}
