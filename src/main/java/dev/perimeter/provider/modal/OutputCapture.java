package dev.perimeter.provider.modal;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.function.Consumer;

/** One output stream of a command: passed on and kept up to the cap, the rest dropped and flagged. */
final class OutputCapture {

    private final long cap;
    private final Consumer<byte[]> listener;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean truncated;

    OutputCapture(long cap, Consumer<byte[]> listener) {
        this.cap = cap;
        this.listener = listener;
    }

    synchronized void accept(byte[] chunk) {
        long room = cap - kept.size();
        if (chunk.length > room) {
            truncated = true;
        }
        byte[] part = room >= chunk.length ? chunk : Arrays.copyOf(chunk, (int) Math.max(0, room));
        if (part.length > 0) {
            kept.writeBytes(part);
            listener.accept(part);
        }
    }

    synchronized byte[] bytes() {
        return kept.toByteArray();
    }

    synchronized boolean truncated() {
        return truncated;
    }
}
