package dev.perimeter.provider.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one output stream of a process on a virtual thread: passes on and keeps up to the cap, then keeps draining
 * (so the process never blocks on a full pipe) and discards the rest.
 */
final class OutputPump implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(OutputPump.class);
    private static final int CHUNK = 8192;

    private final InputStream in;
    private final long cap;
    private final Consumer<byte[]> sink;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread thread;
    private boolean truncated;
    private boolean detached;
    private boolean sinkFailed;

    private OutputPump(InputStream in, long cap, Consumer<byte[]> sink, String name) {
        this.in = in;
        this.cap = Math.min(cap, Integer.MAX_VALUE - 16);
        this.sink = sink;
        this.thread = Thread.ofVirtual().name(name).unstarted(this);
    }

    /** Starts pumping {@code in}, passing at most {@code cap} bytes to {@code sink}. */
    static OutputPump start(InputStream in, long cap, Consumer<byte[]> sink, String name) {
        OutputPump pump = new OutputPump(in, cap, sink, name);
        pump.thread.start();
        return pump;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[CHUNK];
        try (in) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                accept(buffer, read);
            }
        } catch (IOException e) {
            log.debug("Output stream ended with an error", e);
        }
    }

    private synchronized void accept(byte[] buffer, int read) {
        if (detached) {
            return;
        }
        int keep = (int) Math.min(read, cap - kept.size());
        if (keep < read) {
            truncated = true;
        }
        if (keep <= 0) {
            return;
        }
        kept.write(buffer, 0, keep);
        if (!sinkFailed) {
            try {
                sink.accept(Arrays.copyOf(buffer, keep));
            } catch (RuntimeException e) {
                sinkFailed = true;
                log.debug("Output listener failed; the rest is only captured", e);
            }
        }
    }

    /** Waits until the stream ends or {@code grace} passes (a leftover background process may hold it open). */
    void await(Duration grace) throws InterruptedException {
        thread.join(grace);
    }

    /** Stops passing output on and returns what was kept. */
    synchronized byte[] detach() {
        detached = true;
        return kept.toByteArray();
    }

    synchronized boolean truncated() {
        return truncated;
    }
}
