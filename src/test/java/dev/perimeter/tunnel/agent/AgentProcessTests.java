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
    void virtualThreadsRunOnOneCarrierUnlessToldOtherwise() throws Exception {
        assertThat(carriers(agent("--upstream=http://127.0.0.1:9/mcp"))).isEqualTo(1);
        assertThat(carriers(agent("--upstream=http://127.0.0.1:9/mcp", "--carrier-threads=3")))
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
     * The parallelism of the started agent's scheduler of virtual threads, as {@code jcmd} reads it from the running
     * JVM, once the agent's "agent started" line has said the same; the agent, which keeps redialling, is stopped.
     */
    private static int carriers(Process process) throws Exception {
        try (var lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = lines.readLine();
                assertThat(line).as("the agent ended without starting").isNotNull();
            } while (!line.contains("\"message\":\"agent started\""));
            String jcmd = System.getProperty("java.home") + File.separator + "bin" + File.separator + "jcmd";
            Process dump = new ProcessBuilder(jcmd, Long.toString(process.pid()), "Thread.vthread_scheduler")
                    .redirectErrorStream(true)
                    .start();
            String scheduler = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(dump.waitFor(30, TimeUnit.SECONDS)).isTrue();
            var parallelism =
                    java.util.regex.Pattern.compile("parallelism = (\\d+)").matcher(scheduler);
            assertThat(parallelism.find()).as(scheduler).isTrue();
            assertThat(line).contains("\"virtualThreadCarriers\":" + parallelism.group(1));
            return Integer.parseInt(parallelism.group(1));
        } finally {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
