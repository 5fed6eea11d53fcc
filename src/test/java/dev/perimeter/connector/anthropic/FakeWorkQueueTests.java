package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.beta.environments.work.BetaHeartbeatPreconditionFailedException;
import com.anthropic.models.beta.environments.work.BetaSelfHostedWork;
import com.anthropic.models.beta.environments.work.BetaSelfHostedWorkHeartbeatResponse;
import com.anthropic.models.beta.environments.work.BetaSelfHostedWorkStopRequest;
import com.anthropic.models.beta.environments.work.WorkAckParams;
import com.anthropic.models.beta.environments.work.WorkHeartbeatParams;
import com.anthropic.models.beta.environments.work.WorkPollParams;
import com.anthropic.models.beta.environments.work.WorkStopParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake follows the documented work-queue semantics and refuses what the real API refuses, as the official SDK
 * sees it: that keeps the connector's tests honest.
 */
class FakeWorkQueueTests {

    private final FakeWorkQueue queue = AnthropicFake.shared().queue();
    private final String key = "ant-env-key-" + UUID.randomUUID();
    private final String environmentId = queue.newEnvironment(key);
    private final AnthropicClient client = AnthropicOkHttpClient.builder()
            .baseUrl(AnthropicFake.baseUrl())
            .authToken(key)
            .maxRetries(0)
            .build();

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void anEmptyQueueAnswersNothingAndAnItemIsHandedOutOnceUntilItsLeaseLapses() {
        assertThat(poll()).isEmpty();
        String workId = queue.enqueue(environmentId, "sesn_fake");
        BetaSelfHostedWork work = poll().orElseThrow();
        assertThat(work.id()).isEqualTo(workId);
        assertThat(work.data().id()).isEqualTo("sesn_fake");
        assertThat(work.state().asString()).isEqualTo("queued");
        assertThat(poll()).as("handed out, not yet reclaimable").isEmpty();

        BetaSelfHostedWork acked = client.beta()
                .environments()
                .work()
                .ack(WorkAckParams.builder()
                        .environmentId(environmentId)
                        .workId(workId)
                        .build());
        assertThat(acked.state().asString()).isEqualTo("starting");
        assertThat(acked.acknowledgedAt()).isPresent();
        AnthropicFake.shared().advance(java.time.Duration.ofSeconds(6));
        assertThat(poll().map(BetaSelfHostedWork::id))
                .as("no heartbeat: the lease lapsed")
                .contains(workId);
    }

    @Test
    void heartbeatsFollowTheOptimisticChainAndAStaleOneIs412() {
        String workId = queue.enqueue(environmentId, "sesn_heartbeat");
        poll();
        client.beta()
                .environments()
                .work()
                .ack(WorkAckParams.builder()
                        .environmentId(environmentId)
                        .workId(workId)
                        .build());

        BetaSelfHostedWorkHeartbeatResponse first = heartbeat(workId, FakeWorkQueue.NO_HEARTBEAT);
        assertThat(first.leaseExtended()).isTrue();
        assertThat(first.state().asString()).isEqualTo("active");
        assertThatThrownBy(() -> heartbeat(workId, FakeWorkQueue.NO_HEARTBEAT))
                .isInstanceOf(BetaHeartbeatPreconditionFailedException.class);
        assertThat(heartbeat(workId, first.lastHeartbeat()).leaseExtended()).isTrue();
        assertThat(poll()).as("a heartbeated item is never handed out again").isEmpty();

        client.beta()
                .environments()
                .work()
                .stop(WorkStopParams.builder()
                        .environmentId(environmentId)
                        .workId(workId)
                        .betaSelfHostedWorkStopRequest(BetaSelfHostedWorkStopRequest.builder()
                                .force(false)
                                .build())
                        .build());
        assertThat(queue.state(workId)).isEqualTo("stopping");
        assertThat(heartbeat(workId, "anything").leaseExtended())
                .as("a stopping item's heartbeat is not compared, and not extended")
                .isFalse();
    }

    @Test
    void requestsTheRealApiRefusesAreRefused() throws Exception {
        assertThatThrownBy(() -> client.beta()
                        .environments()
                        .work()
                        .poll(WorkPollParams.builder()
                                .environmentId(environmentId)
                                .blockMs(1000L)
                                .build()))
                .isInstanceOf(BadRequestException.class);
        AnthropicClient wrongKey = AnthropicOkHttpClient.builder()
                .baseUrl(AnthropicFake.baseUrl())
                .authToken("ant-env-key-wrong")
                .maxRetries(0)
                .build();
        try {
            assertThatThrownBy(() -> wrongKey.beta().environments().work().poll(environmentId))
                    .isInstanceOf(UnauthorizedException.class);
        } finally {
            wrongKey.close();
        }
        HttpClient http = HttpClient.newHttpClient();
        URI poll = URI.create(AnthropicFake.baseUrl() + "/v1/environments/" + environmentId + "/work/poll");
        assertThat(send(http, HttpRequest.newBuilder(poll).header("Authorization", "Bearer " + key)))
                .as("no anthropic-version, no beta")
                .isEqualTo(400);
        assertThat(send(
                        http,
                        HttpRequest.newBuilder(poll)
                                .header("anthropic-version", "2023-06-01")
                                .header("Authorization", "Bearer " + key)))
                .as("no beta")
                .isEqualTo(400);
        assertThat(send(
                        http,
                        HttpRequest.newBuilder(poll)
                                .header("anthropic-version", "2023-06-01")
                                .header("anthropic-beta", FakeRoutes.BETA)
                                .header("x-api-key", "sk-ant-org-key")))
                .as("an organization API key")
                .isEqualTo(401);
        assertThat(queue.refusals()).isNotEmpty();
    }

    private Optional<BetaSelfHostedWork> poll() {
        return client.beta()
                .environments()
                .work()
                .poll(WorkPollParams.builder()
                        .environmentId(environmentId)
                        .blockMs(999L)
                        .build());
    }

    private BetaSelfHostedWorkHeartbeatResponse heartbeat(String workId, String expected) {
        return client.beta()
                .environments()
                .work()
                .heartbeat(WorkHeartbeatParams.builder()
                        .environmentId(environmentId)
                        .workId(workId)
                        .expectedLastHeartbeat(expected)
                        .desiredTtlSeconds(60L)
                        .build());
    }

    private static int send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
