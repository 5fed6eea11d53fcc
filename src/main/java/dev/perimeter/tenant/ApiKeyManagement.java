package dev.perimeter.tenant;

import dev.perimeter.shared.Ids;
import dev.perimeter.shared.NotFoundException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Issues, lists, revokes and checks API keys. A key's secret is returned once, at issue, and never stored. */
@Service
public class ApiKeyManagement {

    /** Longest key accepted for authentication; anything longer is not one of ours. */
    static final int MAX_KEY_LENGTH = 256;

    private final ApiKeys keys;
    private final LiveKeys liveKeys;
    private final TenantManagement tenants;
    private final Clock clock;

    ApiKeyManagement(ApiKeys keys, LiveKeys liveKeys, TenantManagement tenants, Clock clock) {
        this.keys = keys;
        this.liveKeys = liveKeys;
        this.tenants = tenants;
        this.clock = clock;
    }

    /**
     * A key as issued.
     *
     * @param key the stored key
     * @param secret the whole key; returned only in the response that creates it
     */
    public record IssuedKey(ApiKey key, String secret) {

        /** Without the secret, which must never reach a log line. */
        @Override
        public String toString() {
            return "IssuedKey[key=" + key.getId() + ", secret=[redacted]]";
        }
    }

    /** Issues a key for one tenant. */
    @Transactional
    public IssuedKey issueTenantKey(String tenantId, String name) {
        tenants.get(tenantId);
        KeyMaterial.Issued material = KeyMaterial.issue();
        ApiKey key = new ApiKey(
                Ids.next("key"),
                tenantId,
                Caller.Role.TENANT,
                name,
                material.prefix(),
                material.hash(),
                clock.instant());
        return new IssuedKey(keys.save(key), material.key());
    }

    /** A tenant's keys, newest first, without secrets. */
    @Transactional(readOnly = true)
    public List<ApiKey> tenantKeys(String tenantId) {
        tenants.get(tenantId);
        return keys.findByTenantIdOrderByCreatedAtDesc(tenantId);
    }

    /** Revokes a tenant's key; it stops working on the next request. Revoking twice is not an error. */
    @Transactional
    public ApiKey revokeTenantKey(String tenantId, String keyId) {
        tenants.get(tenantId);
        ApiKey key =
                keys.findByIdAndTenantId(keyId, tenantId).orElseThrow(() -> new NotFoundException("api key", keyId));
        key.revoke(clock.instant());
        liveKeys.changed(key.getPrefix());
        return key;
    }

    /**
     * The caller a presented key belongs to, if it is a live key. Runs on every request; see {@link LiveKeys}.
     */
    public Optional<Caller> authenticate(@Nullable String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        return liveKeys.find(KeyMaterial.prefixOf(presentedKey))
                .filter(key -> KeyMaterial.matches(presentedKey, key.secretHash()))
                .map(key -> new Caller(key.id(), key.role(), key.tenantId()));
    }

    /**
     * Makes {@code presentedKey} the one live bootstrap admin key: stores its hash if it is new and revokes any earlier
     * bootstrap key.
     */
    @Transactional
    public void installBootstrapAdminKey(String presentedKey) {
        String prefix = KeyMaterial.prefixOf(presentedKey);
        String hash = KeyMaterial.sha256(presentedKey);
        boolean present = false;
        for (ApiKey existing : keys.findByRoleAndNameAndRevokedAtIsNull(Caller.Role.ADMIN, BOOTSTRAP_NAME)) {
            if (existing.getPrefix().equals(prefix) && KeyMaterial.matches(presentedKey, existing.getSecretHash())) {
                present = true;
            } else {
                existing.revoke(clock.instant());
                liveKeys.changed(existing.getPrefix());
            }
        }
        if (!present) {
            keys.flush();
            keys.findByPrefix(prefix).ifPresent(keys::delete);
            liveKeys.changed(prefix);
            keys.flush();
            keys.save(new ApiKey(
                    Ids.next("key"), null, Caller.Role.ADMIN, BOOTSTRAP_NAME, prefix, hash, clock.instant()));
        }
    }

    /** Issues a new admin key in our format, for the embedded default's generated bootstrap key. */
    static String newBootstrapKey() {
        return KeyMaterial.issue().key();
    }

    static final String BOOTSTRAP_NAME = "bootstrap";
}
