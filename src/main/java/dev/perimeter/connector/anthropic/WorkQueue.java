package dev.perimeter.connector.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.beta.environments.work.BetaSelfHostedWork;
import com.anthropic.models.beta.environments.work.BetaSelfHostedWorkStopRequest;
import com.anthropic.models.beta.environments.work.WorkAckParams;
import com.anthropic.models.beta.environments.work.WorkPollParams;
import com.anthropic.models.beta.environments.work.WorkRetrieveParams;
import com.anthropic.models.beta.environments.work.WorkStopParams;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * A self-hosted environment's work queue, through the official Anthropic Java SDK. Calls authenticate with the
 * environment key as a bearer token (the work endpoints refuse an organization API key); one client is kept per
 * binding and replaced when its key changes.
 */
@Component
class WorkQueue implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WorkQueue.class);

    private final AnthropicConnectorProperties properties;
    private final Map<String, KeyedClient> clients = new ConcurrentHashMap<>();

    WorkQueue(AnthropicConnectorProperties properties) {
        this.properties = properties;
    }

    /** The next work item, after waiting up to {@code blockMs} on Anthropic's side; empty when there is none. */
    Optional<BetaSelfHostedWork> poll(EnvironmentBinding binding, String key, String workerId) {
        return client(binding, key)
                .beta()
                .environments()
                .work()
                .poll(WorkPollParams.builder()
                        .environmentId(binding.environmentId())
                        .blockMs((long) properties.blockMs())
                        .reclaimOlderThanMs(properties.reclaimOlderThan().toMillis())
                        .anthropicWorkerId(workerId)
                        .build());
    }

    /** Acknowledges an item: it moves from {@code queued} to {@code starting} and leaves the queue. */
    BetaSelfHostedWork ack(EnvironmentBinding binding, String key, String workId) {
        return client(binding, key)
                .beta()
                .environments()
                .work()
                .ack(WorkAckParams.builder()
                        .environmentId(binding.environmentId())
                        .workId(workId)
                        .build());
    }

    /** The item as Anthropic sees it now. */
    BetaSelfHostedWork retrieve(EnvironmentBinding binding, String key, String workId) {
        return client(binding, key)
                .beta()
                .environments()
                .work()
                .retrieve(WorkRetrieveParams.builder()
                        .environmentId(binding.environmentId())
                        .workId(workId)
                        .build());
    }

    /**
     * Asks Anthropic to stop the item. An item that is already stopped, or unknown, is left as it is: stopping is a
     * step of every session's end and may be repeated.
     */
    void stop(EnvironmentBinding binding, String key, String workId, boolean force) {
        try {
            client(binding, key)
                    .beta()
                    .environments()
                    .work()
                    .stop(WorkStopParams.builder()
                            .environmentId(binding.environmentId())
                            .workId(workId)
                            .betaSelfHostedWorkStopRequest(BetaSelfHostedWorkStopRequest.builder()
                                    .force(force)
                                    .build())
                            .build());
        } catch (AnthropicServiceException e) {
            if (e.statusCode() != 404 && e.statusCode() != 409) {
                throw e;
            }
            log.debug("Work item {} was already stopped or gone ({})", workId, e.statusCode());
        }
    }

    private AnthropicClient client(EnvironmentBinding binding, String key) {
        String fingerprint = sha256(properties.baseUrl() + "\n" + key);
        KeyedClient current = clients.compute(binding.id(), (id, existing) -> {
            if (existing != null && existing.fingerprint().equals(fingerprint)) {
                return existing;
            }
            if (existing != null) {
                existing.client().close();
            }
            return new KeyedClient(
                    fingerprint,
                    AnthropicOkHttpClient.builder()
                            .baseUrl(properties.baseUrl())
                            .authToken(key)
                            .timeout(Duration.ofSeconds(30))
                            .maxRetries(1)
                            .build());
        });
        return current.client();
    }

    @Override
    public void destroy() {
        clients.values().forEach(keyed -> keyed.client().close());
        clients.clear();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private record KeyedClient(String fingerprint, AnthropicClient client) {}
}
