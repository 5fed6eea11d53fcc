package dev.perimeter.provider.local;

import dev.perimeter.provider.EgressMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a sandbox was created with and every exec needs again: its egress mode and environment. Kept in a file beside
 * the workspace (mode 0600: the environment may hold secrets), so any instance of the provider can run its commands.
 *
 * @param egress the sandbox's network policy
 * @param env variables set for every command
 */
record SandboxSettings(EgressMode egress, Map<String, String> env) {

    private static final String EGRESS = "egress";
    private static final String ENV_PREFIX = "env.";

    SandboxSettings {
        env = Map.copyOf(env);
    }

    /** Writes the settings atomically, readable only by the owner. */
    void store(Path file) throws IOException {
        Properties properties = new Properties();
        properties.setProperty(EGRESS, egress.name());
        env.forEach((name, value) -> properties.setProperty(ENV_PREFIX + name, value));
        Path temp = Files.createTempFile(
                file.getParent(),
                ".settings",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                properties.store(out, "Perimeter local sandbox");
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Reads settings written by {@link #store}. */
    static SandboxSettings load(Path file) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        Map<String, String> env = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(ENV_PREFIX)) {
                env.put(key.substring(ENV_PREFIX.length()), properties.getProperty(key));
            }
        }
        return new SandboxSettings(EgressMode.valueOf(properties.getProperty(EGRESS, EgressMode.DENY_ALL.name())), env);
    }
}
