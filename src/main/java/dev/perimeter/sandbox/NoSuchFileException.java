package dev.perimeter.sandbox;

import dev.perimeter.shared.NotFoundException;

/** The sandbox has no file at that path. */
public class NoSuchFileException extends NotFoundException {

    public NoSuchFileException(String sandboxId, String path) {
        super("Sandbox '" + sandboxId + "' has no file at '" + (path.length() > 200 ? path.substring(0, 200) : path)
                + "'");
    }
}
