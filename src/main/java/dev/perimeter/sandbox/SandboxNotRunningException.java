package dev.perimeter.sandbox;

import dev.perimeter.shared.PerimeterException;
import org.springframework.http.HttpStatus;

/** A command, file or snapshot request for a sandbox that is not {@code RUNNING}. */
public class SandboxNotRunningException extends PerimeterException {

    public SandboxNotRunningException(String sandboxId, SandboxState state) {
        super(HttpStatus.CONFLICT, "conflict", "Sandbox not running", "Sandbox '" + sandboxId + "' is " + state);
        extend("state", state.name());
    }
}
