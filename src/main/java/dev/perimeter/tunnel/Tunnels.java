package dev.perimeter.tunnel;

import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

/** All tunnels; reads of tenant data are scoped by tenant. */
interface Tunnels extends JpaRepository<Tunnel, String> {

    Optional<Tunnel> findByIdAndTenantId(String id, String tenantId);

    /** The tenant's tunnel with its row locked until the transaction ends, so that changes to it queue. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select t from Tunnel t where t.id = :id and t.tenantId = :tenantId")
    Optional<Tunnel> findLockedByIdAndTenantId(String id, String tenantId);

    Optional<Tunnel> findByTokenPrefix(String tokenPrefix);

    long countByTenantIdAndArchivedAtIsNull(String tenantId);

    @Query(
            """
            select t from Tunnel t
            where t.tenantId = :tenantId
              and (t.createdAt < :afterCreatedAt or (t.createdAt = :afterCreatedAt and t.id < :afterId))
            order by t.createdAt desc, t.id desc
            limit :limit""")
    List<Tunnel> page(String tenantId, Instant afterCreatedAt, String afterId, int limit);
}
