package dev.perimeter.tunnel.agent;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tunnel agent: checks that its upstream is in the allowed ranges, then keeps {@link AgentSettings#connections()}
 * connections to Perimeter open, spread over replicas when the load balancer lets them be ({@link ReplicaSpread}).
 * Each connection's dialling and heartbeats run on a virtual thread of its own; its traffic, and that of the upstream
 * calls it carries, runs on one of {@link AgentSettings#carrierThreads()} Netty event loops. Started by {@code java
 * -jar perimeter.jar tunnel-agent}; tests start it in-process.
 */
public final class TunnelAgent implements AutoCloseable {

    private final EventLoopGroup eventLoops;
    private final List<ConnectionLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Instant> dials = Collections.synchronizedList(new ArrayList<>());

    private TunnelAgent(int eventLoopThreads) {
        this.eventLoops = new MultiThreadIoEventLoopGroup(
                eventLoopThreads, new DefaultThreadFactory("tunnel-agent-io", true), NioIoHandler.newFactory());
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
        TunnelAgent agent = new TunnelAgent(settings.carrierThreads());
        TunnelDialer dialer = new TunnelDialer(agent.eventLoops, settings, upstream);
        ReplicaSpread spread = new ReplicaSpread();
        for (int i = 0; i < settings.connections(); i++) {
            ConnectionLoop loop = new ConnectionLoop(i, settings, dialer, spread, agent.dials::add);
            agent.loops.add(loop);
            agent.threads.add(Thread.ofVirtual().name("tunnel-connection-" + i).start(loop));
        }
        JsonLog.info("agent started", "settings", settings);
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
        eventLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        loops.forEach(loop -> loop.stop(false));
        threads.forEach(Thread::interrupt);
        eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    /** {@code java -jar perimeter.jar tunnel-agent [--url=… --token=… --upstream=…]}. */
    public static void main(String[] args) throws InterruptedException {
        AgentSettings settings;
        TunnelAgent agent;
        try {
            settings = AgentSettings.from(args, System.getenv());
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
