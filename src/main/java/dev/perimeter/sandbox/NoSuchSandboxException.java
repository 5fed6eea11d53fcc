package dev.perimeter.sandbox;

import dev.perimeter.shared.NotFoundException;

/** No sandbox with that id belongs to the caller's tenant. */
public class NoSuchSandboxException extends NotFoundException {

    public NoSuchSandboxException(String sandboxId) {
        super("sandbox", sandboxId);
    }
}
