package dev.perimeter.tunnel.relay;

/**
 * Whether the bytes of an event stream seen so far end between two events: at the start, or after a blank line (two
 * line ends in a row, where a line ends with CRLF, LF or CR). Only there can the relay put a comment of its own
 * without changing an event the server is still sending.
 */
final class EventBoundary {

    private static final int KEPT = 4;

    private final byte[] tail = new byte[KEPT];
    private int length;

    /** Takes in the next bytes of the stream. */
    void saw(byte[] bytes) {
        int take = Math.min(bytes.length, KEPT);
        int keep = Math.min(length, KEPT - take);
        System.arraycopy(tail, length - keep, tail, 0, keep);
        System.arraycopy(bytes, bytes.length - take, tail, keep, take);
        length = keep + take;
    }

    /** Whether the stream now stands between two events. */
    boolean between() {
        if (length == 0) {
            return true;
        }
        int end = lineEndBefore(length);
        return end >= 0 && lineEndBefore(end) >= 0;
    }

    /**
     * Where the line end that finishes just before {@code position} starts, or -1 if none does. With fewer than
     * {@link #KEPT} bytes kept, the stream's start counts as the start of a line.
     */
    private int lineEndBefore(int position) {
        if (position == 0) {
            return length < KEPT ? 0 : -1;
        }
        byte last = tail[position - 1];
        if (last == '\n') {
            return position >= 2 && tail[position - 2] == '\r' ? position - 2 : position - 1;
        }
        return last == '\r' ? position - 1 : -1;
    }
}
