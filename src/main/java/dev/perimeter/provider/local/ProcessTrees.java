package dev.perimeter.provider.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kills a process and all its descendants with SIGKILL, which no process can trap or ignore. */
final class ProcessTrees {

    private static final Logger log = LoggerFactory.getLogger(ProcessTrees.class);
    private static final int ROUNDS = 10;
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(5);

    private ProcessTrees() {}

    /**
     * Kills the descendants first (collected while the root still holds them; once it dies they are re-parented out
     * of reach), again while new ones appear, then the root, and waits for all of them to exit.
     */
    static void kill(ProcessHandle root) {
        List<ProcessHandle> killed = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<ProcessHandle> alive =
                    root.descendants().filter(ProcessHandle::isAlive).toList();
            if (alive.isEmpty()) {
                break;
            }
            alive.forEach(ProcessHandle::destroyForcibly);
            killed.addAll(alive);
        }
        root.destroyForcibly();
        killed.add(root);
        awaitExit(killed);
    }

    /**
     * Polls rather than using {@code onExit()}, which for processes that are not our children polls slowly and waits
     * until someone reaps them.
     */
    private static void awaitExit(List<ProcessHandle> processes) {
        long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
        try {
            for (ProcessHandle process : processes) {
                while (running(process)) {
                    if (System.nanoTime() > deadline) {
                        log.warn("Process {} did not exit within {} after SIGKILL", process.pid(), EXIT_WAIT);
                        return;
                    }
                    Thread.sleep(POLL);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the process still runs; a zombie (dead, waiting for its new parent to reap it) does not. */
    private static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int endOfName = stat.lastIndexOf(')');
            return endOfName < 0 || endOfName + 2 >= stat.length() || stat.charAt(endOfName + 2) != 'Z';
        } catch (IOException e) {
            return process.isAlive();
        }
    }
}
