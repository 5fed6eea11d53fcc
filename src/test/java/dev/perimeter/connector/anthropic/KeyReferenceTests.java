package dev.perimeter.connector.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perimeter.shared.ValidationFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Environment key references: what parses, how each resolves, and that no message ever holds the key. */
class KeyReferenceTests {

    private static final String KEY = "sk-ant-env-secret-value";

    @Test
    void anEnvironmentVariableReferenceReadsTheVariableAtUse() {
        KeyReference reference = KeyReference.parse("env:ANTHROPIC_ENVIRONMENT_KEY");
        assertThat(reference.text()).isEqualTo("env:ANTHROPIC_ENVIRONMENT_KEY");
        assertThat(reference.resolve(Map.of("ANTHROPIC_ENVIRONMENT_KEY", " " + KEY + "\n")::get))
                .isEqualTo(KEY);
        assertThatThrownBy(() -> reference.resolve(name -> null))
                .isInstanceOf(KeyReference.UnresolvableKeyException.class)
                .hasMessage("env:ANTHROPIC_ENVIRONMENT_KEY holds no environment key");
    }

    @Test
    void aFileReferenceReadsAMountedSecretOfAtMost4KiB(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("key"), KEY + "\n");
        assertThat(KeyReference.parse("file:" + file).resolve(name -> null)).isEqualTo(KEY);

        Path large = Files.writeString(dir.resolve("large"), KEY.repeat(500));
        assertThatThrownBy(() -> KeyReference.parse("file:" + large).resolve(name -> null))
                .isInstanceOf(KeyReference.UnresolvableKeyException.class)
                .message()
                .doesNotContain(KEY);
        assertThatThrownBy(() -> KeyReference.parse("file:" + dir).resolve(name -> null))
                .isInstanceOf(KeyReference.UnresolvableKeyException.class);
        assertThatThrownBy(() ->
                        KeyReference.parse("file:" + dir.resolve("absent")).resolve(name -> null))
                .isInstanceOf(KeyReference.UnresolvableKeyException.class);
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> KeyReference.parse("file:" + empty).resolve(name -> null))
                .isInstanceOf(KeyReference.UnresolvableKeyException.class);
    }

    @Test
    void anythingElseIsRefusedWithoutEchoingIt() {
        for (String reference : new String[] {
            KEY,
            "env:",
            "env:1X",
            "env:A-B",
            "file:",
            "file:relative/path",
            "file:/",
            "file:/a/../b",
            "file:/a/..",
            "vault:secret/key",
            "ENV:X",
            " env:X",
            "file:/with space"
        }) {
            assertThatThrownBy(() -> KeyReference.parse(reference))
                    .as(reference)
                    .isInstanceOf(ValidationFailedException.class)
                    .message()
                    .doesNotContain(KEY);
        }
    }
}
