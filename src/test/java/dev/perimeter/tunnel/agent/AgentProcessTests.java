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
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process process = new ProcessBuilder(List.of(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.perimeter.PerimeterApplication",
                        "tunnel-agent",
                        "--url=ws://127.0.0.1:9/v1/tunnels/tnl_x/connect",
                        "--token=pmt_not_a_real_token",
                        "--upstream=http://169.254.169.254/latest/meta-data"))
                .redirectErrorStream(true)
                .start();
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
}
