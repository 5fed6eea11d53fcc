package dev.perimeter.tunnel;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One multiplexed exchange on a tunnel connection, as either side sees it. Frames arriving for the stream are queued
 * by the connection's reader (which never blocks) and taken by the stream's own thread; body bytes sent are bounded by
 * the peer's window, so neither side ever buffers more than {@link TunnelFrame#INITIAL_WINDOW} of a stream, however
 * large the body.
 */
public final class TunnelStream {

    /** Writes frames onto the connection; implementations serialise concurrent callers. */
    public interface Sender {
        void send(TunnelFrame frame) throws IOException;

        /** Sends frames in order; a connection that batches sends them as one message. */
        default void send(java.util.List<TunnelFrame> frames) throws IOException {
            for (TunnelFrame frame : frames) {
                send(frame);
            }
        }
    }

    /** The stream was reset by the peer or its connection dropped. */
    public static final class ResetException extends IOException {
        public ResetException(String reason) {
            super(reason);
        }
    }

    private final int id;
    private final Sender sender;
    private final ArrayDeque<TunnelFrame> inbound = new ArrayDeque<>();
    private final ReentrantLock inboundLock = new ReentrantLock();
    private final Condition arrived = inboundLock.newCondition();
    private final AtomicInteger unconsumed = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition creditChanged = lock.newCondition();
    private int credit = TunnelFrame.INITIAL_WINDOW;
    private int consumedSinceGrant;
    private volatile @Nullable String failure;
    private volatile @Nullable Runnable onReset;
    private final java.util.List<TunnelFrame> held = new java.util.ArrayList<>();
    private boolean holding;
    private int heldBytes;

    public TunnelStream(int id, Sender sender) {
        this.id = id;
        this.sender = sender;
    }

    public int id() {
        return id;
    }

    /** Hands the stream a frame from the connection; never blocks. */
    public void deliver(TunnelFrame frame) {
        deliver(List.of(frame));
    }

    /**
     * Hands the stream frames that came together, in order; never blocks. The stream's thread wakes once, with all of
     * them queued, so it can tell that a body and its end are already here and write them out together.
     */
    public void deliver(List<TunnelFrame> frames) {
        boolean reset = false;
        boolean violated = false;
        inboundLock.lock();
        try {
            for (TunnelFrame frame : frames) {
                switch (frame.type()) {
                    case WINDOW -> addCredit(frame.windowIncrement());
                    case RESET -> {
                        failed(frame.reason());
                        inbound.add(frame);
                        reset = true;
                    }
                    case DATA -> {
                        if (unconsumed.addAndGet(frame.payload().length)
                                > TunnelFrame.INITIAL_WINDOW + TunnelFrame.MAX_DATA) {
                            violated = true;
                            inbound.add(TunnelFrame.reset(id, "flow control violated"));
                        } else {
                            inbound.add(frame);
                        }
                    }
                    default -> inbound.add(frame);
                }
            }
            arrived.signalAll();
        } finally {
            inboundLock.unlock();
        }
        if (violated) {
            reset("flow control violated");
        }
        if (reset) {
            notifyReset();
        }
    }

    /**
     * The next frame for this stream ({@code HEAD}, {@code DATA}, {@code END} or {@code RESET}), or {@code null} if
     * none came within the timeout. Taking a {@code DATA} frame grants the peer more window.
     */
    public @Nullable TunnelFrame next(long timeout, TimeUnit unit) throws InterruptedException, IOException {
        TunnelFrame frame;
        inboundLock.lockInterruptibly();
        try {
            long nanos = unit.toNanos(timeout);
            while ((frame = inbound.poll()) == null && nanos > 0) {
                nanos = arrived.awaitNanos(nanos);
            }
        } finally {
            inboundLock.unlock();
        }
        if (frame != null && frame.type() == TunnelFrame.Type.DATA) {
            consumed(frame.payload().length);
        }
        return frame;
    }

    /** Whether a frame is already waiting to be taken. */
    public boolean hasPending() {
        inboundLock.lock();
        try {
            return !inbound.isEmpty();
        } finally {
            inboundLock.unlock();
        }
    }

    private void consumed(int bytes) throws IOException {
        unconsumed.addAndGet(-bytes);
        consumedSinceGrant += bytes;
        if (consumedSinceGrant >= TunnelFrame.INITIAL_WINDOW / 2 && failure == null) {
            sender.send(TunnelFrame.window(id, consumedSinceGrant));
            consumedSinceGrant = 0;
        }
    }

    /**
     * From now on the sending thread's {@code HEAD}, {@code DATA} and {@code END} frames are held until {@link
     * #flush()}, so that what is ready at once leaves in one message. Only the one thread that sends the stream's
     * body may use it, and it must flush before it waits for anything but window.
     */
    public void hold() {
        holding = true;
    }

    /** Sends the frames held so far, together; holding goes on. */
    public void flush() throws IOException {
        if (held.isEmpty()) {
            return;
        }
        java.util.List<TunnelFrame> frames = java.util.List.copyOf(held);
        held.clear();
        heldBytes = 0;
        checkOpen();
        sender.send(frames);
    }

    private void emit(TunnelFrame frame) throws IOException {
        if (!holding) {
            sender.send(frame);
            return;
        }
        if (heldBytes + frame.batchedSize() > TunnelFrame.MAX_FRAME - 5) {
            flush();
        }
        held.add(frame);
        heldBytes += frame.batchedSize();
    }

    /** Sends a {@code HEAD} frame. */
    public void sendHead(byte[] head) throws IOException {
        checkOpen();
        emit(new TunnelFrame(TunnelFrame.Type.HEAD, id, head));
    }

    /** Sends body bytes, waiting for window as needed. */
    public void sendData(byte[] bytes, int offset, int length) throws IOException, InterruptedException {
        int sent = 0;
        while (sent < length) {
            if (!held.isEmpty() && !hasCredit()) {
                flush();
            }
            int chunk = take(Math.min(length - sent, TunnelFrame.MAX_DATA));
            byte[] payload = java.util.Arrays.copyOfRange(bytes, offset + sent, offset + sent + chunk);
            emit(new TunnelFrame(TunnelFrame.Type.DATA, id, payload));
            sent += chunk;
        }
    }

    /** Sends {@code END}: no more body from this side. */
    public void sendEnd() throws IOException {
        checkOpen();
        emit(TunnelFrame.of(TunnelFrame.Type.END, id));
    }

    /** Abandons the stream and tells the peer; errors sending are ignored, the stream is over either way. */
    public void reset(String reason) {
        if (failure != null) {
            return;
        }
        failed(reason);
        try {
            sender.send(TunnelFrame.reset(id, reason));
        } catch (IOException | RuntimeException e) {
            // the connection is gone: the peer learns of it that way
        }
    }

    /** The connection dropped: wakes the stream's thread with a {@code RESET}. */
    public void connectionLost(String reason) {
        failed(reason);
        inboundLock.lock();
        try {
            inbound.add(TunnelFrame.reset(id, reason));
            arrived.signalAll();
        } finally {
            inboundLock.unlock();
        }
        notifyReset();
    }

    /**
     * Runs {@code listener} on a new virtual thread once the peer resets the stream or the connection drops, or at
     * once if that already happened; it lets a side that is not reading the stream learn of a reset without a thread
     * of its own polling for it.
     */
    public void onReset(Runnable listener) {
        onReset = listener;
        if (failure != null) {
            notifyReset();
        }
    }

    private void notifyReset() {
        Runnable listener = onReset;
        if (listener != null) {
            onReset = null;
            Thread.ofVirtual().start(listener);
        }
    }

    /** Why the stream ended abnormally, or {@code null}. */
    public @Nullable String failure() {
        return failure;
    }

    private void failed(String reason) {
        lock.lock();
        try {
            if (failure == null) {
                failure = reason;
            }
            creditChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void addCredit(int bytes) {
        lock.lock();
        try {
            credit += Math.max(0, bytes);
            creditChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean hasCredit() {
        lock.lock();
        try {
            return credit > 0;
        } finally {
            lock.unlock();
        }
    }

    private int take(int wanted) throws InterruptedException, ResetException {
        lock.lock();
        try {
            while (credit <= 0 && failure == null) {
                creditChanged.await();
            }
            checkOpen();
            int granted = Math.min(wanted, credit);
            credit -= granted;
            return granted;
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() throws ResetException {
        String reason = failure;
        if (reason != null) {
            throw new ResetException(reason);
        }
    }
}
