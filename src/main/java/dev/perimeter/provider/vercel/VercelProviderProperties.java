package dev.perimeter.provider.vercel;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the {@code vercel} provider. The connection settings come from the environment variables Vercel's own
 * tools read; the provider is registered only when a token, a team and a project are known.
 *
 * @param token a Vercel access token ({@code VERCEL_TOKEN}); sent as {@code Authorization: Bearer}
 * @param oidcToken a Vercel OIDC token ({@code VERCEL_OIDC_TOKEN}), used when {@code token} is blank; its {@code
 *     owner_id} and {@code project_id} claims stand in for a blank team and project
 * @param teamId the team that owns the sandboxes ({@code VERCEL_TEAM_ID}), sent as {@code ?teamId=} on every call
 * @param projectId the project the sandboxes belong to ({@code VERCEL_PROJECT_ID})
 * @param apiUrl the API base URL ({@code VERCEL_API_URL})
 * @param connectTimeout to open a connection to the API
 * @param requestTimeout to receive the response headers of a call; a command's stream gets its own timeout on top
 * @param maxAttempts attempts of an idempotent call, the first included
 * @param maxLifetime the longest sandbox the team's plan allows (5 hours on Pro and Enterprise, 45 minutes on Hobby)
 * @param snapshotExpiration how long Vercel keeps a snapshot; zero keeps it until Perimeter deletes it
 */
@Validated
@ConfigurationProperties("perimeter.providers.vercel")
record VercelProviderProperties(
        @DefaultValue("") String token,
        @DefaultValue("") String oidcToken,
        @DefaultValue("") String teamId,
        @DefaultValue("") String projectId,
        @DefaultValue("https://vercel.com/api") @NotNull URI apiUrl,
        @DefaultValue("5s") @NotNull Duration connectTimeout,
        @DefaultValue("30s") @NotNull Duration requestTimeout,
        @DefaultValue("3") @Min(1) int maxAttempts,
        @DefaultValue("5h") @NotNull Duration maxLifetime,
        @DefaultValue("0s") @NotNull Duration snapshotExpiration) {

    /** The token to send: the access token, else the OIDC token. */
    String bearerToken() {
        return token.isBlank() ? oidcToken.strip() : token.strip();
    }

    /** The team: the configured one, else the OIDC token's {@code owner_id}. */
    String effectiveTeamId() {
        return teamId.isBlank() ? OidcClaims.of(bearerToken()).ownerId() : teamId.strip();
    }

    /** The project: the configured one, else the OIDC token's {@code project_id}. */
    String effectiveProjectId() {
        return projectId.isBlank() ? OidcClaims.of(bearerToken()).projectId() : projectId.strip();
    }

    /** The settings without the tokens, which must never reach a log line. */
    @Override
    public String toString() {
        return "VercelProviderProperties[token=" + (bearerToken().isEmpty() ? "(none)" : "(set)") + ", teamId="
                + teamId + ", projectId=" + projectId + ", apiUrl=" + apiUrl + ", connectTimeout=" + connectTimeout
                + ", requestTimeout=" + requestTimeout + ", maxAttempts=" + maxAttempts + ", maxLifetime="
                + maxLifetime + ", snapshotExpiration=" + snapshotExpiration + "]";
    }

    /** The environment variables still needed to configure the provider; empty when it can be registered. */
    List<String> missingSettings() {
        List<String> missing = new ArrayList<>();
        if (bearerToken().isEmpty()) {
            missing.add("VERCEL_TOKEN (or VERCEL_OIDC_TOKEN)");
        }
        if (effectiveTeamId().isEmpty()) {
            missing.add("VERCEL_TEAM_ID");
        }
        if (effectiveProjectId().isEmpty()) {
            missing.add("VERCEL_PROJECT_ID");
        }
        return missing;
    }
}
