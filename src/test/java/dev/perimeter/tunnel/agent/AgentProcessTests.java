package dev.perimeter.tunnel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar perimeter.jar tunnel-agent} runs the agent from the application's main class without starting
 * Spring, a web server or the embedded database.
 */
class AgentProcessTests {

    @Test
    void theMainClassStartsTheAgentWithoutSpringAndRefusesAnSsrfUpstream() throws Exception {
        Process process = agent("--upstream=http://169.254.169.254/latest/meta-data");
        long start = System.nanoTime();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("tunnel-agent-process: exited " + process.exitValue() + " after " + millis + " ms");
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output)
                .contains("\"message\":\"agent not started\"")
                .contains("outside the allowed ranges")
                .doesNotContain("pmt_not_a_real_token")
                .doesNotContain("Spring")
                .doesNotContain("Tomcat")
                .doesNotContain("postgres");
    }

    @Test
    void trafficRunsOnOneEventLoopThreadUnlessToldOtherwise() throws Exception {
        assertThat(eventLoopThreads(agent("--upstream=http://127.0.0.1:9/mcp", "--connections=3")))
                .isEqualTo(1);
        assertThat(eventLoopThreads(
                        agent("--upstream=http://127.0.0.1:9/mcp", "--connections=3", "--carrier-threads=3")))
                .isEqualTo(3);
    }

    @Test
    void malformedNumbersAndDurationsAreRefusedWithTheirName() throws Exception {
        for (String flag : List.of("--carrier-threads=0", "--carrier-threads=many", "--heartbeat-interval=10s")) {
            Process process = agent("--upstream=http://127.0.0.1:9/mcp", flag);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(output).isEqualTo(2);
            assertThat(output)
                    .contains("\"message\":\"agent not started\"")
                    .containsAnyOf("carrier threads", "heartbeat-interval")
                    .doesNotContain("Exception");
        }
    }

    /** Starts {@code java … PerimeterApplication tunnel-agent} against a port where nothing listens. */
    private static Process agent(String... flags) throws java.io.IOException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new java.util.ArrayList<>(List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.perimeter.PerimeterApplication",
                "tunnel-agent",
                "--url=ws://127.0.0.1:9/v1/tunnels/tnl_x/connect",
                "--token=pmt_not_a_real_token"));
        command.addAll(List.of(flags));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /**
     * The event-loop threads of the started agent, as {@code jcmd} lists them once each of its connections has tried
     * to dial (each dial registers on the next loop, so all of them have started); the agent is then stopped.
     */
    private static long eventLoopThreads(Process process) throws Exception {
        try (var lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            int failedDials = 0;
            while (failedDials < 3) {
                String line = lines.readLine();
                assertThat(line).as("the agent ended without dialling").isNotNull();
                if (line.contains("\"message\":\"connect failed\"")) {
                    failedDials++;
                }
            }
            String jcmd = System.getProperty("java.home") + File.separator + "bin" + File.separator + "jcmd";
            Process dump = new ProcessBuilder(jcmd, Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(dump.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return threads.lines()
                    .filter(line -> line.startsWith("\"tunnel-agent-io-"))
                    .count();
        } finally {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
