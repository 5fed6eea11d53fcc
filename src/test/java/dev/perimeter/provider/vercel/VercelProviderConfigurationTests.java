package dev.perimeter.provider.vercel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perimeter.provider.SandboxProvider;
import dev.perimeter.provider.UnconfiguredProvider;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class VercelProviderConfigurationTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(VercelProviderConfiguration.class);

    @Test
    void tokenTeamAndProjectRegisterTheProvider() {
        runner.withPropertyValues(
                        "perimeter.providers.vercel.token=vercel-token-0123456789",
                        "perimeter.providers.vercel.team-id=team_1",
                        "perimeter.providers.vercel.project-id=prj_1")
                .run(context -> {
                    assertThat(context).hasSingleBean(SandboxProvider.class);
                    assertThat(context).doesNotHaveBean(UnconfiguredProvider.class);
                    SandboxProvider provider = context.getBean(SandboxProvider.class);
                    assertThat(provider.type()).isEqualTo("vercel");
                    assertThat(provider.capabilities().regions())
                            .containsExactlyInAnyOrder("iad1", "sfo1", "cle1", "cdg1");
                    assertThat(provider.capabilities().gpu()).isFalse();
                });
    }

    @Test
    void noSettingsDeclareTheProviderUnconfiguredNamingEveryVariable() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(SandboxProvider.class);
            assertThat(context.getBean(UnconfiguredProvider.class))
                    .isEqualTo(new UnconfiguredProvider(
                            "vercel",
                            java.util.List.of(
                                    "VERCEL_TOKEN (or VERCEL_OIDC_TOKEN)", "VERCEL_TEAM_ID", "VERCEL_PROJECT_ID")));
        });
    }

    @Test
    void aTokenWithoutAProjectNamesOnlyWhatIsMissing() {
        runner.withPropertyValues(
                        "perimeter.providers.vercel.token=vercel-token-0123456789",
                        "perimeter.providers.vercel.team-id=team_1")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(SandboxProvider.class);
                    assertThat(context.getBean(UnconfiguredProvider.class).missingSettings())
                            .containsExactly("VERCEL_PROJECT_ID");
                });
    }

    @Test
    void anOidcTokenSuppliesTeamAndProjectFromItsClaims() {
        String claims = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        "{\"owner_id\":\"team_oidc\",\"project_id\":\"prj_oidc\"}".getBytes(StandardCharsets.UTF_8));
        runner.withPropertyValues("perimeter.providers.vercel.oidc-token=eyJhbGciOiJSUzI1NiJ9." + claims + ".sig")
                .run(context -> assertThat(context).hasSingleBean(SandboxProvider.class));
    }

    @Test
    void theTokenIsNotPartOfTheProviderOrItsMissingSettings() {
        runner.withPropertyValues("perimeter.providers.vercel.token=vercel-secret-token-abcdef")
                .run(context -> assertThat(
                                context.getBean(UnconfiguredProvider.class).toString())
                        .doesNotContain("vercel-secret-token-abcdef"));
    }
}
