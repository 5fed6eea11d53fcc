package dev.perimeter.tenant;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

/** All API keys, admin and tenant. */
interface ApiKeys extends JpaRepository<ApiKey, String> {

    Optional<ApiKey> findByPrefix(String prefix);

    List<ApiKey> findByTenantIdOrderByCreatedAtDesc(String tenantId);

    Optional<ApiKey> findByIdAndTenantId(String id, String tenantId);

    List<ApiKey> findByRoleAndNameAndRevokedAtIsNull(Caller.Role role, String name);
}
