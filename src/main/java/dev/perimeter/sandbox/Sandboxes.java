package dev.perimeter.sandbox;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads of sandboxes; reads of tenant data are scoped by tenant. Writes are in {@link SandboxTransitions}. Each read is
 * one statement and takes no transaction of its own (one round trip, no BEGIN/COMMIT); inside a caller's transaction
 * it joins it.
 */
interface Sandboxes extends JpaRepository<Sandbox, String> {

    @Override
    @Transactional(propagation = Propagation.SUPPORTS)
    Optional<Sandbox> findById(String id);

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
}
