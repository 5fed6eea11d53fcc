package dev.perimeter.provider.local;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the {@code local} provider, which runs sandboxes on this host.
 *
 * @param enabled whether the local provider is offered at all
 * @param isolation how commands are isolated from the host; {@code none} runs them directly on the host and is meant
 *     only for development on machines without bubblewrap
 * @param bwrapPath the bubblewrap executable: a path, or a name looked up on {@code PATH}
 */
@Validated
@ConfigurationProperties("perimeter.providers.local")
record LocalProviderProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("BUBBLEWRAP") @NotNull Isolation isolation,
        @DefaultValue("bwrap") @NotBlank String bwrapPath) {

    /** How commands are kept apart from the host. */
    enum Isolation {
        /** Every command runs in a fresh bubblewrap sandbox: own mounts, processes and (by default) no network. */
        BUBBLEWRAP,
        /** Commands run directly on the host, as the server's user. No isolation at all. */
        NONE
    }
}
