package dev.perimeter.provider.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/** Host-side views the local provider's tests check sandboxes against. */
final class TestProcesses {

    private TestProcesses() {}

    /** A number no other process on the host is likely to have as an argument, for {@code sleep <marker>}. */
    static String marker() {
        return Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
    }

    /** Live processes that have {@code argument} as one of their arguments. */
    static List<ProcessHandle> withArgument(String argument) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info()
                        .arguments()
                        .map(arguments -> Arrays.asList(arguments).contains(argument))
                        .orElse(false))
                .toList();
    }

    /** The network interface names listed in a {@code /proc/net/dev} text. */
    static Set<String> interfaces(String procNetDev) {
        return procNetDev
                .lines()
                .filter(line -> line.contains(":"))
                .map(line -> line.substring(0, line.indexOf(':')).trim())
                .filter(name -> !name.isEmpty() && !name.contains("|"))
                .collect(Collectors.toSet());
    }

    static Set<String> hostInterfaces() throws java.io.IOException {
        return interfaces(Files.readString(Path.of("/proc/net/dev")));
    }
}
