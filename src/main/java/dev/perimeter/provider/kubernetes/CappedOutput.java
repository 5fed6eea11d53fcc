package dev.perimeter.provider.kubernetes;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.function.Consumer;

/** One stream of a command: passes chunks on and keeps them, up to a cap past which output is dropped and flagged. */
final class CappedOutput extends OutputStream {

    private final long cap;
    private final Consumer<byte[]> listener;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean truncated;

    CappedOutput(long cap, Consumer<byte[]> listener) {
        this.cap = cap;
        this.listener = listener;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        long room = cap - kept.size();
        int take = (int) Math.min(len, Math.max(0, room));
        if (take < len) {
            truncated = true;
        }
        if (take > 0) {
            byte[] chunk = Arrays.copyOfRange(b, off, off + take);
            kept.writeBytes(chunk);
            listener.accept(chunk);
        }
    }

    synchronized byte[] bytes() {
        return kept.toByteArray();
    }

    synchronized boolean truncated() {
        return truncated;
    }

    /** Passes bytes on to another stream up to a cap, dropping and flagging what is past it. */
    static final class Passing extends OutputStream {

        private final OutputStream target;
        private long room;
        private boolean truncated;

        Passing(OutputStream target, long cap) {
            this.target = target;
            this.room = cap;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
            int take = (int) Math.min(len, room);
            if (take < len) {
                truncated = true;
            }
            if (take > 0) {
                target.write(b, off, take);
                room -= take;
            }
        }

        synchronized boolean truncated() {
            return truncated;
        }
    }
}
