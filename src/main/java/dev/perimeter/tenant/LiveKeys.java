package dev.perimeter.tenant;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The lookup authentication makes on every request, as one plain JDBC statement outside any transaction: it reads the
 * key afresh each time, so a revocation on any replica counts from the next request, and it skips the entity
 * machinery that a request pays for on top of the round trip.
 */
@Repository
class LiveKeys {

    /**
     * The parts of a live (unrevoked) key that authentication needs.
     *
     * @param id the key's id
     * @param tenantId its tenant, {@code null} for an admin key
     * @param role its role
     * @param secretHash SHA-256 of the whole key, hex
     */
    record LiveKey(String id, @Nullable String tenantId, Caller.Role role, String secretHash) {}

    private final JdbcClient jdbc;

    LiveKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The unrevoked key with that prefix, if there is one. */
    Optional<LiveKey> find(String prefix) {
        return jdbc.sql(
                        """
                        select id, tenant_id, role, secret_hash from api_keys
                        where prefix = ? and revoked_at is null""")
                .param(prefix)
                .query((row, n) -> new LiveKey(
                        row.getString("id"),
                        row.getString("tenant_id"),
                        Caller.Role.valueOf(row.getString("role")),
                        row.getString("secret_hash")))
                .optional();
    }
}
