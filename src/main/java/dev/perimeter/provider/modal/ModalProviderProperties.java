package dev.perimeter.provider.modal;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the {@code modal} provider. The provider is registered only when both tokens are set.
 *
 * @param tokenId the Modal token id ({@code MODAL_TOKEN_ID}), sent as {@code x-modal-token-id}
 * @param tokenSecret the Modal token secret ({@code MODAL_TOKEN_SECRET}), sent as {@code x-modal-token-secret}
 * @param serverUrl Modal's control plane ({@code MODAL_SERVER_URL}); {@code https} means TLS, {@code http} plaintext
 * @param appName the Modal app every sandbox belongs to ({@code MODAL_APP_NAME}); created if missing
 * @param environment the Modal environment, or empty for the workspace's default
 * @param regions the Modal regions sandboxes may be pinned to ({@code MODAL_REGION}, comma-separated); empty lets
 *     Modal place them, reported as the single region {@code auto}
 * @param gpu the GPU a create gets when it names none ({@code MODAL_GPU}, Modal's {@code TYPE[:N]}); empty for none
 * @param timeout the longest a sandbox may live ({@code MODAL_TIMEOUT_S}, whole seconds); Modal's own ceiling is 24 h
 * @param image the container image a create gets when it names none
 * @param requestTimeout the deadline of one control-plane call
 * @param maxAttempts attempts of an idempotent call, the first included
 * @param initialBackoff the first retry's backoff ceiling; it doubles per attempt, and the wait is random below it
 * @param maxRetryAfter the longest server-asked retry delay honoured by waiting; a longer one ends the call with 503
 */
@Validated
@ConfigurationProperties("perimeter.providers.modal")
record ModalProviderProperties(
        @Nullable String tokenId,
        @Nullable String tokenSecret,
        @DefaultValue("https://api.modal.com:443") @NotNull URI serverUrl,
        @DefaultValue("perimeter") @NotBlank String appName,
        @DefaultValue("") String environment,
        @DefaultValue("") List<String> regions,
        @Nullable String gpu,
        @DefaultValue("86400") @DurationUnit(ChronoUnit.SECONDS) @NotNull Duration timeout,
        @DefaultValue("debian:bookworm-slim") @NotBlank String image,
        @DefaultValue("30s") @NotNull Duration requestTimeout,
        @DefaultValue("4") @Min(1) int maxAttempts,
        @DefaultValue("100ms") @NotNull Duration initialBackoff,
        @DefaultValue("10s") @NotNull Duration maxRetryAfter) {

    /** The environment variables that configure this provider and are not set. */
    List<String> missingSettings() {
        List<String> missing = new ArrayList<>();
        if (tokenId == null || tokenId.isBlank()) {
            missing.add("MODAL_TOKEN_ID");
        }
        if (tokenSecret == null || tokenSecret.isBlank()) {
            missing.add("MODAL_TOKEN_SECRET");
        }
        return missing;
    }

    /** The configured regions without blanks. */
    List<String> regionList() {
        return regions.stream().map(String::strip).filter(r -> !r.isEmpty()).toList();
    }

    @Override
    public String toString() {
        return "ModalProviderProperties[serverUrl=" + serverUrl + ", appName=" + appName + ", regions=" + regions
                + ", tokenId=" + (tokenId == null ? "unset" : "[set]") + ", tokenSecret="
                + (tokenSecret == null ? "unset" : "[set]") + "]";
    }
}
