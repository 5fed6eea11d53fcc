package dev.perimeter.connector.anthropic;

import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.beta.environments.work.BetaSelfHostedWork;
import dev.perimeter.jobs.LeaderJobs;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Polls every bound environment's work queue, each under its own leader lock ({@code anthropic-env-<binding id>}),
 * so exactly one replica polls an environment at a time while different environments may be polled by different
 * replicas. One run takes up to {@code max-items-per-poll} items, each after a poll that waits up to {@code block-ms}
 * on Anthropic's side, acknowledges each and hands it to the {@link SessionLauncher}. The lock is held for at least
 * 90% of the poll interval and at most {@link #LOCK_AT_MOST}; a run outliving that only risks a second poller, which
 * the launcher's per-work-item claim makes harmless. A webhook {@link #wake()}s the loop at once.
 */
@Component
class WorkLoop implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WorkLoop.class);
    static final String JOB_PREFIX = "anthropic-env-";
    static final Duration LOCK_AT_MOST = Duration.ofMinutes(1);

    private final EnvironmentBindings bindings;
    private final EnvironmentKeys keys;
    private final WorkQueue queue;
    private final SessionLauncher launcher;
    private final ConnectorMetrics metrics;
    private final LeaderJobs jobs;
    private final AnthropicConnectorProperties properties;
    private final String workerId;
    private final ExecutorService wakes = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("anthropic-wake").factory());
    private final AtomicBoolean wakePending = new AtomicBoolean();

    WorkLoop(
            EnvironmentBindings bindings,
            EnvironmentKeys keys,
            WorkQueue queue,
            SessionLauncher launcher,
            ConnectorMetrics metrics,
            LeaderJobs jobs,
            AnthropicConnectorProperties properties,
            ReplicaId replica) {
        this.bindings = bindings;
        this.keys = keys;
        this.queue = queue;
        this.launcher = launcher;
        this.metrics = metrics;
        this.jobs = jobs;
        this.properties = properties;
        this.workerId = "perimeter-" + replica.value();
    }

    @Scheduled(
            fixedDelayString = "${perimeter.connector.anthropic.poll-interval:PT1S}",
            initialDelayString = "${perimeter.connector.anthropic.poll-interval:PT1S}")
    void scheduled() {
        pollAll();
    }

    /** Polls every active binding whose lock this replica gets; answers how many it polled. */
    int pollAll() {
        List<EnvironmentBinding> active = bindings.active();
        try (ExecutorService each = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> runs = active.stream()
                    .map(binding -> each.submit(() -> poll(binding)))
                    .toList();
            int polled = 0;
            for (Future<Boolean> run : runs) {
                polled += run.get() ? 1 : 0;
            }
            return polled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** One run for one binding under its lock; answers whether it ran here. */
    boolean poll(EnvironmentBinding binding) {
        return jobs.runExclusively(
                JOB_PREFIX + binding.id(), properties.pollInterval(), LOCK_AT_MOST, () -> drain(binding));
    }

    /** Wakes the loop now, as a webhook does; wakes that arrive while one is pending are folded into it. */
    void wake() {
        if (wakePending.compareAndSet(false, true)) {
            wakes.submit(() -> {
                wakePending.set(false);
                pollAll();
            });
        }
    }

    private void drain(EnvironmentBinding binding) {
        String error = null;
        try {
            String key = keys.of(binding);
            for (int taken = 0; taken < properties.maxItemsPerPoll(); taken++) {
                Optional<BetaSelfHostedWork> work = queue.poll(binding, key, workerId);
                if (work.isEmpty()) {
                    break;
                }
                metrics.seen();
                take(binding, key, work.get());
            }
        } catch (KeyReference.UnresolvableKeyException e) {
            error = e.getMessage();
            log.warn("Cannot poll environment {}: {}", binding.environmentId(), error);
        } catch (RuntimeException e) {
            error = "Polling failed: " + e.getClass().getSimpleName();
            log.warn(
                    "Polling environment {} failed: {}",
                    binding.environmentId(),
                    e.getClass().getSimpleName());
        } finally {
            bindings.polled(binding.id(), error);
        }
    }

    private void take(EnvironmentBinding binding, String key, BetaSelfHostedWork work) {
        String workId = work.id();
        String sessionId = work.data().id();
        try {
            queue.ack(binding, key, workId);
            metrics.acked();
        } catch (AnthropicServiceException e) {
            if (e.statusCode() != 409) {
                throw e;
            }
            // Acknowledged by an earlier delivery whose sandbox may not exist yet: the launcher finds out.
            log.debug("Work item {} was already acknowledged", workId);
        }
        launcher.launch(binding, key, workId, sessionId);
    }

    @Override
    public void destroy() {
        wakes.shutdownNow();
    }
}
