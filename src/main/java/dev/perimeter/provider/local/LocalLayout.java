package dev.perimeter.provider.local;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the local provider keeps its files: {@code sandboxes/<id>/workspace} (bound into the sandbox), {@code
 * sandboxes/<id>/sandbox.properties}, {@code sandboxes/<id>/staging} (host-only scratch space) and {@code
 * snapshots/<id>.tar.gz}. Only well-formed ids ever become paths.
 */
final class LocalLayout {

    private static final Pattern ID = Pattern.compile("[a-z]+_[a-z0-9]+");
    private static final int MAX_ID_LENGTH = 64;

    private final Path root;

    LocalLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Whether {@code id} can name a sandbox or snapshot: {@code [a-z]+_[a-z0-9]+}, at most 64 characters. */
    static boolean isId(@Nullable String id) {
        return id != null && id.length() <= MAX_ID_LENGTH && ID.matcher(id).matches();
    }

    Path sandboxes() {
        return root.resolve("sandboxes");
    }

    Path snapshots() {
        return root.resolve("snapshots");
    }

    Path sandbox(String sandboxId) {
        return sandboxes().resolve(checked(sandboxId));
    }

    Path workspace(String sandboxId) {
        return sandbox(sandboxId).resolve("workspace");
    }

    Path settings(String sandboxId) {
        return sandbox(sandboxId).resolve("sandbox.properties");
    }

    Path staging(String sandboxId) {
        return sandbox(sandboxId).resolve("staging");
    }

    Path snapshot(String snapshotId) {
        return snapshots().resolve(checked(snapshotId) + ".tar.gz");
    }

    private static String checked(String id) {
        if (!isId(id)) {
            throw new IllegalArgumentException("not an id: " + id);
        }
        return id;
    }
}
