package dev.perimeter.tenant;

import dev.perimeter.database.InvalidatingCache;
import dev.perimeter.database.Invalidations;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The lookup authentication makes on every request. A live key is read once, as one plain JDBC statement outside any
 * transaction, and then kept in an {@link InvalidatingCache}: revoking or replacing a key publishes its prefix, which
 * empties that entry on every replica as the change commits, so a revocation counts from the next request everywhere.
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

    /** The {@link Invalidations} topic of API keys; the key is a key's prefix. */
    static final String TOPIC = "api-key";

    private final JdbcClient jdbc;
    private final Invalidations invalidations;
    private final InvalidatingCache<LiveKey> cache;

    LiveKeys(JdbcClient jdbc, Invalidations invalidations) {
        this.jdbc = jdbc;
        this.invalidations = invalidations;
        this.cache = invalidations.cache(TOPIC, 100_000);
    }

    /** The unrevoked key with that prefix, if there is one. */
    Optional<LiveKey> find(String prefix) {
        return cache.get(prefix, this::read);
    }

    /** Tells every replica that the key with this prefix changed; sent when the current transaction commits. */
    void changed(String prefix) {
        invalidations.publish(TOPIC, prefix);
    }

    private Optional<LiveKey> read(String prefix) {
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
