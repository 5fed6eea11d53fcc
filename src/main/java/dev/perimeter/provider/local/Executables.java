package dev.perimeter.provider.local;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds an executable by path or on {@code PATH}, as a shell would. */
final class Executables {

    private Executables() {}

    /** The absolute path of {@code nameOrPath} when it names an executable file. */
    static Optional<Path> find(String nameOrPath) {
        if (nameOrPath.contains("/")) {
            return executable(Path.of(nameOrPath));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Optional<Path> found = executable(Path.of(dir, nameOrPath));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> executable(Path candidate) {
        return Files.isRegularFile(candidate) && Files.isExecutable(candidate)
                ? Optional.of(candidate.toAbsolutePath())
                : Optional.empty();
    }
}
