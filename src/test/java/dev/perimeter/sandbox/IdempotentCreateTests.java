package dev.perimeter.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.support.Api;
import dev.perimeter.support.ApiTestSupport;
import dev.perimeter.support.RecordingProviders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdempotentCreateTests extends ApiTestSupport {

    @Test
    void sameKeyAndBodyReplaysTheFirstResponseWithOneProviderCall() {
        TestTenant tenant = newTenant();
        Api.Response first = create(tenant, "key-1", "{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}");
        Api.Response second = create(tenant, "key-1", "{ \"labels\": { \"b\": \"2\", \"a\": \"1\" } }");
        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json()).isEqualTo(first.json());
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(RecordingProviders.creates(tenant.id())).isEqualTo(1);
        assertThat(api.get("/v1/sandboxes").key(tenant.key()).send().json().get("items"))
                .hasSize(1);
    }

    @Test
    void errorsAreReplayedToo() {
        TestTenant tenant = newTenant();
        String body = "{\"egress\":{\"mode\":\"ALLOWLIST\",\"allow\":[\"example.com\"]}}";
        Api.Response first = create(tenant, "key-err", body);
        Api.Response second = create(tenant, "key-err", body);
        assertProblem(first, 422, "capability-unsupported");
        assertThat(second.status()).isEqualTo(422);
        assertThat(second.json()).isEqualTo(first.json());
        assertThat(RecordingProviders.creates(tenant.id())).isZero();
    }

    @Test
    void sameKeyWithAnotherBodyIs422() {
        TestTenant tenant = newTenant();
        assertThat(create(tenant, "key-2", "{\"agentId\":\"a\"}").status()).isEqualTo(201);
        assertProblem(create(tenant, "key-2", "{\"agentId\":\"b\"}"), 422, "idempotency-key-reused");
        assertThat(RecordingProviders.creates(tenant.id())).isEqualTo(1);
    }

    @Test
    void sameKeyWhileTheFirstIsInFlightIs409() throws Exception {
        TestTenant tenant = newTenant();
        CountDownLatch entered = RecordingProviders.hold(tenant.id());
        CompletableFuture<Api.Response> first = CompletableFuture.supplyAsync(() -> create(tenant, "key-3", "{}"));
        try {
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
            Api.Response concurrent = create(tenant, "key-3", "{}");
            assertProblem(concurrent, 409, "idempotency-in-flight");
            assertThat(concurrent.header("Retry-After")).isNotNull();
        } finally {
            RecordingProviders.release(tenant.id());
        }
        assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(201);
        Api.Response replay = create(tenant, "key-3", "{}");
        assertThat(replay.status()).isEqualTo(201);
        assertThat(replay.json().get("id")).isEqualTo(first.get().json().get("id"));
        assertThat(RecordingProviders.creates(tenant.id())).isEqualTo(1);
    }

    @Test
    void keysAreScopedToTheTenant() {
        TestTenant one = newTenant();
        TestTenant two = newTenant();
        Api.Response a = create(one, "shared-key", "{}");
        Api.Response b = create(two, "shared-key", "{}");
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).isEqualTo(201);
        assertThat(b.json().get("id")).isNotEqualTo(a.json().get("id"));
        assertThat(b.json().get("tenantId").asString()).isEqualTo(two.id());
    }

    @Test
    void overlongKeyIs400() {
        TestTenant tenant = newTenant();
        assertProblem(create(tenant, "k".repeat(256), "{}"), 400, "validation-failed");
    }

    private Api.Response create(TestTenant tenant, String key, String body) {
        return api.post("/v1/sandboxes")
                .key(tenant.key())
                .header("Idempotency-Key", key)
                .json(body)
                .send();
    }
}
