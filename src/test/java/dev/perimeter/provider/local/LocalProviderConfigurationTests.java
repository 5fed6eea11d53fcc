package dev.perimeter.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.provider.SandboxProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class LocalProviderConfigurationTests {

    @TempDir
    Path dataDir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withUserConfiguration(LocalProviderConfiguration.class)
                .withPropertyValues("perimeter.data-dir=" + dataDir);
    }

    @Test
    void bubblewrapIsolationIsTheDefault() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(SandboxProvider.class);
            SandboxProvider provider = context.getBean(SandboxProvider.class);
            assertThat(provider.type()).isEqualTo("local");
            assertThat(provider.capabilities().isolated()).isTrue();
        });
    }

    @Test
    void missingBubblewrapFailsStartUpWithInstallInstructions() {
        runner().withPropertyValues("perimeter.providers.local.bwrap-path=/nonexistent/bin/bwrap")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("bubblewrap (bwrap) is not installed")
                        .hasMessageContaining("/nonexistent/bin/bwrap")
                        .hasMessageContaining("apt-get install bubblewrap")
                        .hasMessageContaining("dnf install bubblewrap")
                        .hasMessageContaining("perimeter.providers.local.isolation=none")
                        .hasMessageContaining("WITHOUT isolation"));
    }

    @Test
    void bubblewrapMissingFromThePathFailsStartUp() {
        runner().withPropertyValues("perimeter.providers.local.bwrap-path=no-such-bwrap-binary")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("bubblewrap (bwrap) is not installed"));
    }

    @Test
    void isolationNoneStartsWithoutBubblewrapAndWarns(CapturedOutput output) {
        runner().withPropertyValues(
                        "perimeter.providers.local.isolation=none",
                        "perimeter.providers.local.bwrap-path=/nonexistent/bin/bwrap")
                .run(context -> {
                    assertThat(context).hasSingleBean(SandboxProvider.class);
                    assertThat(context.getBean(SandboxProvider.class)
                                    .capabilities()
                                    .isolated())
                            .isFalse();
                });
        assertThat(output).containsOnlyOnce("perimeter.providers.local.isolation=none");
    }

    @Test
    void disabledProviderCreatesNoBean() {
        runner().withPropertyValues("perimeter.providers.local.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SandboxProvider.class));
    }

    @Test
    void blankBwrapPathIsRejectedWhenBinding() {
        runner().withPropertyValues("perimeter.providers.local.bwrap-path= ")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("bwrapPath"));
    }
}
