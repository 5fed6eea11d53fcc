package dev.perimeter.sandbox;

import dev.perimeter.shared.Problems;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key} for requests with effects outside Postgres, after Stripe and the IETF draft: the first
 * request with a key claims it (one row per tenant and key), runs, and stores its status and body, errors included;
 * a retry with the same body gets that response replayed, a retry with another body 422, a retry while the first is
 * still running 409. Keys are kept 24 hours. A failure that says "try again" (503, 429, and 402 once the budget is
 * raised) releases the key instead, so the retry really runs; so does a claim whose holder has been silent for {@link #STALE_CLAIM}.
 */
@Component
public class IdempotentRequests {

    private static final Logger log = LoggerFactory.getLogger(IdempotentRequests.class);

    /** How long a key and its response are kept. */
    static final Duration RETENTION = Duration.ofHours(24);

    /** A claim older than this is taken to belong to a replica that died mid-request. */
    static final Duration STALE_CLAIM = Duration.ofMinutes(10);

    /** Header set on a replayed response. */
    static final String REPLAYED = "Idempotent-Replayed";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    IdempotentRequests(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Runs {@code request} once per tenant and key.
     *
     * @param fingerprint SHA-256 of the canonical request body
     * @param path request path, for stored problem bodies
     */
    public ResponseEntity<?> run(
            String tenantId, String key, String fingerprint, String path, Supplier<ResponseEntity<?>> request) {
        Optional<ResponseEntity<?>> earlier = claim(tenantId, key, fingerprint);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        ResponseEntity<?> response;
        try {
            response = request.get();
        } catch (ErrorResponseException e) {
            int status = e.getStatusCode().value();
            if (status == HttpStatus.SERVICE_UNAVAILABLE.value()
                    || status == HttpStatus.TOO_MANY_REQUESTS.value()
                    || status == HttpStatus.PAYMENT_REQUIRED.value()) {
                release(tenantId, key);
            } else {
                complete(tenantId, key, status, json.writeValueAsString(Problems.body(e.getBody(), path)));
            }
            throw e;
        } catch (RuntimeException e) {
            release(tenantId, key);
            throw e;
        }
        complete(tenantId, key, response.getStatusCode().value(), json.writeValueAsString(response.getBody()));
        return response;
    }

    private Optional<ResponseEntity<?>> claim(String tenantId, String key, String fingerprint) {
        int claimed = jdbc.sql(
                        """
                        insert into idempotency_keys (tenant_id, idempotency_key, request_hash, state, created_at, locked_at)
                        values (:tenant, :key, :hash, 'IN_FLIGHT', now(), now())
                        on conflict (tenant_id, idempotency_key) do nothing""")
                .param("tenant", tenantId)
                .param("key", key)
                .param("hash", fingerprint)
                .update();
        if (claimed == 1) {
            return Optional.empty();
        }
        Stored stored = jdbc.sql(
                        """
                        select request_hash, state, response_status, response_body,
                               created_at < now() - make_interval(secs => :retention) as expired,
                               locked_at < now() - make_interval(secs => :stale) as stale
                        from idempotency_keys where tenant_id = :tenant and idempotency_key = :key""")
                .param("tenant", tenantId)
                .param("key", key)
                .param("retention", RETENTION.toSeconds())
                .param("stale", STALE_CLAIM.toSeconds())
                .query((rs, row) -> new Stored(
                        rs.getString("request_hash"),
                        rs.getString("state"),
                        rs.getObject("response_status", Integer.class),
                        rs.getString("response_body"),
                        rs.getBoolean("expired"),
                        rs.getBoolean("stale")))
                .optional()
                .orElse(null);
        if (stored == null || stored.expired()) {
            forget(tenantId, key);
            return claim(tenantId, key, fingerprint);
        }
        if (!stored.requestHash().equals(fingerprint)) {
            throw new IdempotencyKeyReusedException(key);
        }
        if ("DONE".equals(stored.state()) && stored.status() != null) {
            HttpHeaders headers = new HttpHeaders();
            headers.set(REPLAYED, "true");
            headers.setContentType(
                    stored.status() >= 400
                            ? MediaType.parseMediaType(Problems.MEDIA_TYPE)
                            : MediaType.APPLICATION_JSON);
            return Optional.of(
                    ResponseEntity.status(stored.status()).headers(headers).body(stored.body()));
        }
        if (stored.stale() && takeOver(tenantId, key)) {
            log.warn("Taking over idempotency key of a request that stopped answering");
            return Optional.empty();
        }
        throw new IdempotencyInFlightException(key);
    }

    private boolean takeOver(String tenantId, String key) {
        return jdbc.sql(
                                """
                        update idempotency_keys set locked_at = now()
                        where tenant_id = :tenant and idempotency_key = :key and state = 'IN_FLIGHT'
                          and locked_at < now() - make_interval(secs => :stale)""")
                        .param("tenant", tenantId)
                        .param("key", key)
                        .param("stale", STALE_CLAIM.toSeconds())
                        .update()
                == 1;
    }

    private void complete(String tenantId, String key, int status, String body) {
        jdbc.sql(
                        """
                        update idempotency_keys set state = 'DONE', response_status = :status, response_body = :body
                        where tenant_id = :tenant and idempotency_key = :key""")
                .param("tenant", tenantId)
                .param("key", key)
                .param("status", status)
                .param("body", body)
                .update();
    }

    private void release(String tenantId, String key) {
        jdbc.sql(
                        "delete from idempotency_keys where tenant_id = :tenant and idempotency_key = :key and state = 'IN_FLIGHT'")
                .param("tenant", tenantId)
                .param("key", key)
                .update();
    }

    private void forget(String tenantId, String key) {
        jdbc.sql(
                        """
                        delete from idempotency_keys where tenant_id = :tenant and idempotency_key = :key
                          and created_at < now() - make_interval(secs => :retention)""")
                .param("tenant", tenantId)
                .param("key", key)
                .param("retention", RETENTION.toSeconds())
                .update();
    }

    /** Deletes keys past retention; answers how many. */
    int forgetExpired() {
        return jdbc.sql("delete from idempotency_keys where created_at < now() - make_interval(secs => :retention)")
                .param("retention", RETENTION.toSeconds())
                .update();
    }

    private record Stored(
            String requestHash,
            String state,
            @Nullable Integer status,
            @Nullable String body,
            boolean expired,
            boolean stale) {}
}
