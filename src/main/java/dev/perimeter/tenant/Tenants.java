package dev.perimeter.tenant;

import java.time.Instant;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** All tenants. */
interface Tenants extends JpaRepository<Tenant, String> {

    @Query(
            """
            select t from Tenant t
            where t.createdAt < :createdAt or (t.createdAt = :createdAt and t.id < :id)
            order by t.createdAt desc, t.id desc limit :limit""")
    List<Tenant> pageAfter(Instant createdAt, String id, int limit);

    List<Tenant> findByBudgetLimitUsdIsNotNull();
}
