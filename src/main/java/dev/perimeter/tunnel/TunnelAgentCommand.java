package dev.perimeter.tunnel;

import dev.perimeter.tunnel.agent.TunnelAgent;

/**
 * {@code java -jar perimeter.jar tunnel-agent}: runs the tunnel agent instead of the control plane, without Spring,
 * a web server or a database.
 */
public final class TunnelAgentCommand {

    /** The first argument that selects the agent. */
    public static final String NAME = "tunnel-agent";

    private TunnelAgentCommand() {}

    /** Runs the agent with the arguments after {@link #NAME}. */
    public static void run(String[] args) throws InterruptedException {
        TunnelAgent.main(args);
    }
}
