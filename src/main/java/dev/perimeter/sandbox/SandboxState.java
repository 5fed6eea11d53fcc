package dev.perimeter.sandbox;

import java.util.Set;

/** Where a sandbox is in its life: {@code PROVISIONING → RUNNING → DESTROYING → DESTROYED}, or {@code FAILED}. */
public enum SandboxState {
    PROVISIONING,
    RUNNING,
    DESTROYING,
    DESTROYED,
    FAILED;

    /** States that count against quota: every sandbox not yet {@code DESTROYED} or {@code FAILED}. */
    public static final Set<SandboxState> ACTIVE = Set.of(PROVISIONING, RUNNING, DESTROYING);

    /** Whether nothing more will happen to the sandbox. */
    public boolean isEnded() {
        return this == DESTROYED || this == FAILED;
    }
}
