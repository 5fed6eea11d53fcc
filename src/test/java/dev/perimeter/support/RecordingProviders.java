package dev.perimeter.support;

import dev.perimeter.provider.ExecOutput;
import dev.perimeter.provider.ExecResult;
import dev.perimeter.provider.ExecSpec;
import dev.perimeter.provider.ManagedSandbox;
import dev.perimeter.provider.ProviderCapabilities;
import dev.perimeter.provider.ProviderErrorException;
import dev.perimeter.provider.ProviderUnavailableException;
import dev.perimeter.provider.ProvisionedSandbox;
import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.SandboxSpec;
import dev.perimeter.provider.SandboxStatus;
import dev.perimeter.provider.SnapshotResult;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Wraps every real provider so tests can count its create calls per tenant, hold a tenant's creates on a latch and
 * make a sandbox's destroys fail, without replacing what the provider does.
 */
public class RecordingProviders implements BeanPostProcessor {

    private static final Map<String, AtomicInteger> CREATES = new ConcurrentHashMap<>();
    private static final Map<String, CountDownLatch> HOLDS = new ConcurrentHashMap<>();
    private static final Map<String, CountDownLatch> ENTERED = new ConcurrentHashMap<>();
    private static final Map<String, String> FAILING = new ConcurrentHashMap<>();

    /** Makes the tenant's next create fail as a vendor error would, before the real provider is called. */
    public static void failNextCreate(String tenantId, String detail) {
        FAILING.put(tenantId, detail);
    }

    private static final Map<String, AtomicInteger> FAILING_DESTROYS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> DESTROYS = new ConcurrentHashMap<>();

    /** Makes the next {@code times} destroys of the sandbox fail as an unreachable provider would. */
    public static void failDestroys(String sandboxId, int times) {
        FAILING_DESTROYS.put(sandboxId, new AtomicInteger(times));
    }

    /** How many times any provider was asked to destroy the sandbox, failed attempts included. */
    public static int destroys(String sandboxId) {
        return DESTROYS.getOrDefault(sandboxId, new AtomicInteger()).get();
    }

    /** How many times any provider was asked to create a sandbox for the tenant. */
    public static int creates(String tenantId) {
        return CREATES.getOrDefault(tenantId, new AtomicInteger()).get();
    }

    /** Makes the tenant's next creates wait until {@link #release}; answers a latch that opens when one is waiting. */
    public static CountDownLatch hold(String tenantId) {
        HOLDS.put(tenantId, new CountDownLatch(1));
        CountDownLatch entered = new CountDownLatch(1);
        ENTERED.put(tenantId, entered);
        return entered;
    }

    public static void release(String tenantId) {
        CountDownLatch latch = HOLDS.remove(tenantId);
        if (latch != null) {
            latch.countDown();
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof SandboxProvider provider) {
            return new Recording(provider);
        }
        return bean;
    }

    private record Recording(SandboxProvider delegate) implements SandboxProvider {

        @Override
        public String type() {
            return delegate.type();
        }

        @Override
        public ProviderCapabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public ProvisionedSandbox create(SandboxSpec spec) {
            CREATES.computeIfAbsent(spec.tenantId(), t -> new AtomicInteger()).incrementAndGet();
            String failure = FAILING.remove(spec.tenantId());
            if (failure != null) {
                throw new ProviderErrorException(delegate.type(), failure, null);
            }
            CountDownLatch hold = HOLDS.get(spec.tenantId());
            if (hold != null) {
                ENTERED.get(spec.tenantId()).countDown();
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate.create(spec);
        }

        @Override
        public SandboxStatus status(String providerRef) {
            return delegate.status(providerRef);
        }

        @Override
        public ExecResult exec(String providerRef, ExecSpec spec, ExecOutput output) {
            return delegate.exec(providerRef, spec, output);
        }

        @Override
        public void writeFile(String providerRef, String path, byte[] content) {
            delegate.writeFile(providerRef, path, content);
        }

        @Override
        public Optional<byte[]> readFile(String providerRef, String path, long maxBytes) {
            return delegate.readFile(providerRef, path, maxBytes);
        }

        @Override
        public SnapshotResult snapshot(String providerRef, String snapshotId) {
            return delegate.snapshot(providerRef, snapshotId);
        }

        @Override
        public void deleteSnapshot(String snapshotRef) {
            delegate.deleteSnapshot(snapshotRef);
        }

        @Override
        public void destroy(String providerRef) {
            DESTROYS.computeIfAbsent(providerRef, id -> new AtomicInteger()).incrementAndGet();
            AtomicInteger failing = FAILING_DESTROYS.get(providerRef);
            if (failing != null && failing.getAndDecrement() > 0) {
                throw new ProviderUnavailableException(
                        delegate.type(), "injected destroy failure", new IOException("connection refused"));
            }
            delegate.destroy(providerRef);
        }

        @Override
        public List<ManagedSandbox> listManaged() {
            return delegate.listManaged();
        }
    }
}
