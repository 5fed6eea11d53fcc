package dev.perimeter.tunnel.agent;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The tunnel agent: checks that its upstream is in the allowed ranges, then keeps {@link AgentSettings#connections()}
 * connections to Perimeter open, each on its own thread, spread over replicas when the load balancer lets them be
 * ({@link ReplicaSpread}). Started by {@code java -jar perimeter.jar tunnel-agent};
 * tests start it in-process.
 */
public final class TunnelAgent implements AutoCloseable {

    private static final String CARRIERS_PROPERTY = "jdk.virtualThreadScheduler.parallelism";

    private final AgentSettings settings;
    private final Upstream upstream;
    private final List<ConnectionLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Instant> dials = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    private TunnelAgent(AgentSettings settings, Upstream upstream) {
        this.settings = settings;
        this.upstream = upstream;
    }

    /**
     * Starts an agent; an upstream outside the allowed ranges is refused with an {@link IllegalArgumentException}
     * before anything is dialled.
     */
    public static TunnelAgent start(AgentSettings settings) {
        Upstream upstream = new Upstream(settings.upstream(), AddressRanges.parse(settings.allowedRanges()));
        String refusal = upstream.refusal();
        if (refusal != null) {
            throw new IllegalArgumentException("Refusing to start: " + refusal);
        }
        TunnelAgent agent = new TunnelAgent(settings, upstream);
        ReplicaSpread spread = new ReplicaSpread();
        for (int i = 0; i < settings.connections(); i++) {
            ConnectionLoop loop = new ConnectionLoop(i, settings, upstream, agent.client, spread, agent.dials::add);
            agent.loops.add(loop);
            agent.threads.add(Thread.ofVirtual().name("tunnel-connection-" + i).start(loop));
        }
        JsonLog.info("agent started", "settings", settings, "virtualThreadCarriers", carriersAskedFor());
        return agent;
    }

    /** When each connection attempt started, in order: the reconnect pattern, for operators and tests. */
    public List<Instant> dials() {
        synchronized (dials) {
            return List.copyOf(dials);
        }
    }

    /** Drops every connection at once, as a network blip would; the agent dials again after its backoff. */
    public void dropConnections() {
        loops.forEach(ConnectionLoop::drop);
    }

    /** Stops as a crash would: connections are dropped without a close frame. */
    public void kill() {
        loops.forEach(loop -> loop.stop(true));
        threads.forEach(Thread::interrupt);
    }

    /**
     * Sizes the JDK's scheduler of virtual threads, unless {@code -D}{@value #CARRIERS_PROPERTY} already did. The JDK
     * reads the property when it starts its first virtual thread, so this must run before any is started.
     */
    static void useCarrierThreads(int threads) {
        if (System.getProperty(CARRIERS_PROPERTY) == null) {
            System.setProperty(CARRIERS_PROPERTY, Integer.toString(threads));
        }
    }

    /** The carriers the JDK's scheduler of virtual threads was asked for; it reads them as it starts. */
    private static Object carriersAskedFor() {
        Integer threads = Integer.getInteger(CARRIERS_PROPERTY);
        return threads != null ? threads : "the JDK's default";
    }

    @Override
    public void close() {
        loops.forEach(loop -> loop.stop(false));
        threads.forEach(Thread::interrupt);
        upstream.close();
    }

    /** {@code java -jar perimeter.jar tunnel-agent [--url=… --token=… --upstream=…]}. */
    public static void main(String[] args) throws InterruptedException {
        AgentSettings settings;
        TunnelAgent agent;
        try {
            settings = AgentSettings.from(args, System.getenv());
            useCarrierThreads(settings.carrierThreads());
            agent = start(settings);
        } catch (IllegalArgumentException e) {
            JsonLog.error("agent not started", "reason", e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
        for (Thread thread : agent.threads) {
            thread.join();
        }
    }
}
