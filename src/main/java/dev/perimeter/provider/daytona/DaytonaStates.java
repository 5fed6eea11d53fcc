package dev.perimeter.provider.daytona;

import dev.perimeter.provider.SandboxStatus;
import java.util.Locale;

/** Daytona's {@code SandboxState} (daytona-api.openapi.yaml) as Perimeter's {@link SandboxStatus}. */
final class DaytonaStates {

    private DaytonaStates() {}

    static SandboxStatus of(String state) {
        return switch (state.toLowerCase(Locale.ROOT)) {
            // A sandbox being snapshotted, resized or forked keeps running.
            case "started", "snapshotting", "resizing", "forking" -> SandboxStatus.RUNNING;
            case "creating",
                    "restoring",
                    "starting",
                    "pending_build",
                    "building_snapshot",
                    "pulling_snapshot",
                    "resuming" -> SandboxStatus.PROVISIONING;
            case "stopped", "stopping", "archived", "archiving", "pausing", "paused" -> SandboxStatus.STOPPED;
            // Gone, or going: for Perimeter the vendor no longer holds it.
            case "destroyed", "destroying" -> SandboxStatus.UNKNOWN;
            // "error", "build_failed", and Daytona's own "unknown" (it lost track of the sandbox).
            default -> SandboxStatus.FAILED;
        };
    }

    static boolean gone(String state) {
        return of(state) == SandboxStatus.UNKNOWN;
    }
}
