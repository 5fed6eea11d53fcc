package dev.perimeter.tenant;

import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** All tenants. */
interface Tenants extends JpaRepository<Tenant, String> {

    /** One statement: no transaction of its own (one round trip, no BEGIN/COMMIT); joins the caller's if any. */
    @Override
    @Transactional(propagation = Propagation.SUPPORTS)
    Optional<Tenant> findById(String id);

    /** The tenant with its row locked until the transaction ends, so that changes to it queue instead of racing. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select t from Tenant t where t.id = :id")
    Optional<Tenant> findLockedById(String id);

    @Query(
            """
            select t from Tenant t
            where t.createdAt < :createdAt or (t.createdAt = :createdAt and t.id < :id)
            order by t.createdAt desc, t.id desc limit :limit""")
    List<Tenant> pageAfter(Instant createdAt, String id, int limit);

    List<Tenant> findByBudgetLimitUsdIsNotNull();
}
