package dev.perimeter.sandbox;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** All snapshots; reads of tenant data are scoped by tenant. */
interface Snapshots extends JpaRepository<Snapshot, String> {

    Optional<Snapshot> findByIdAndTenantId(String id, String tenantId);

    long countByTenantIdAndStateIn(String tenantId, Collection<SnapshotState> states);

    @Query(
            """
            select s from Snapshot s
            where s.tenantId = :tenantId
              and (:sandboxId is null or s.sandboxId = :sandboxId)
              and (s.createdAt < :afterCreatedAt or (s.createdAt = :afterCreatedAt and s.id < :afterId))
            order by s.createdAt desc, s.id desc
            limit :limit""")
    List<Snapshot> page(String tenantId, @Nullable String sandboxId, Instant afterCreatedAt, String afterId, int limit);

    @Query(
            """
            select s from Snapshot s
            where s.state = dev.perimeter.sandbox.SnapshotState.READY and s.expiresAt <= :now
            order by s.expiresAt
            limit :limit""")
    List<Snapshot> expired(Instant now, int limit);
}
