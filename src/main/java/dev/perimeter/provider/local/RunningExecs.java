package dev.perimeter.provider.local;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The commands this instance is running, per sandbox, so that destroying a sandbox also ends them. */
final class RunningExecs {

    private final ConcurrentMap<String, Set<Process>> bySandbox = new ConcurrentHashMap<>();

    void add(String sandboxId, Process process) {
        bySandbox
                .computeIfAbsent(sandboxId, id -> ConcurrentHashMap.newKeySet())
                .add(process);
    }

    void remove(String sandboxId, Process process) {
        bySandbox.computeIfPresent(sandboxId, (id, processes) -> {
            processes.remove(process);
            return processes.isEmpty() ? null : processes;
        });
    }

    /** Kills every command running in the sandbox, with all their descendants. */
    void killAll(String sandboxId) {
        Set<Process> processes = bySandbox.remove(sandboxId);
        if (processes != null) {
            processes.forEach(process -> ProcessTrees.kill(process.toHandle()));
        }
    }
}
