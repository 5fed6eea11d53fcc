package dev.perimeter.tunnel;

import java.nio.ByteBuffer;

/**
 * One message of the tunnel protocol, carried as one binary WebSocket message: a type byte, a 4-byte stream id and
 * the payload. Streams are opened by the relay (odd ids per connection); stream 0 carries the connection's pings.
 *
 * <ul>
 *   <li>{@code HEAD}: the request head (relay to agent) or the response head (agent to relay), see {@link
 *       TunnelHeads}
 *   <li>{@code DATA}: body bytes, at most {@link #MAX_DATA} per frame and never past the receiver's window
 *   <li>{@code END}: no more body in this direction
 *   <li>{@code RESET}: the stream is abandoned (UTF-8 reason); the other side stops at once
 *   <li>{@code WINDOW}: the receiver consumed bytes and grants that many more (4-byte count)
 *   <li>{@code PING} / {@code PONG}: heartbeats on stream 0, the payload echoed. The relay's first frame on a new
 *       connection is a {@code PING} whose payload is {@code replica=<replica id>}: an agent that knows it learns which
 *       replica holds that connection (see {@link #AVOID_REPLICAS_HEADER}); one that does not just answers it
 *   <li>{@code BATCH}: on stream 0, several frames in one message, each as a 4-byte length and the frame; sent only
 *       on a connection whose handshake agreed on {@link #BATCHING_PROTOCOL}
 * </ul>
 *
 * @param type what the frame says
 * @param streamId the stream it belongs to
 * @param payload its bytes
 */
public record TunnelFrame(Type type, int streamId, byte[] payload) {

    /** Largest body chunk in one frame. */
    public static final int MAX_DATA = 32 * 1024;

    /** Bytes of body a side may send on a stream before the receiver grants more. */
    public static final int INITIAL_WINDOW = 256 * 1024;

    /** Largest encoded frame either side accepts. */
    public static final int MAX_FRAME = 80 * 1024;

    /**
     * The WebSocket subprotocol an agent offers, and the relay accepts, when both take {@code BATCH} messages. An agent
     * or relay without it gets one frame per message, as before.
     */
    public static final String BATCHING_PROTOCOL = "perimeter-tunnel.batch";

    /**
     * Handshake header in which an agent names, comma-separated, the replicas its other connections are on; a replica
     * named there refuses the upgrade with 409 {@code tunnel-replica-held}, so the agent dials again and the load
     * balancer can place it elsewhere.
     */
    public static final String AVOID_REPLICAS_HEADER = "X-Perimeter-Avoid-Replicas";

    private static final String REPLICA_ANNOUNCEMENT = "replica=";

    private static final byte[] EMPTY = new byte[0];

    /** Frame types; the code is the first byte on the wire. */
    public enum Type {
        HEAD(1),
        DATA(2),
        END(3),
        RESET(4),
        WINDOW(5),
        PING(6),
        PONG(7),
        BATCH(8);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        static Type of(int code) {
            for (Type type : values()) {
                if (type.code == code) {
                    return type;
                }
            }
            throw new IllegalArgumentException("Unknown frame type " + code);
        }
    }

    /** A frame without payload. */
    public static TunnelFrame of(Type type, int streamId) {
        return new TunnelFrame(type, streamId, EMPTY);
    }

    /** A {@code WINDOW} frame granting {@code bytes}. */
    public static TunnelFrame window(int streamId, int bytes) {
        return new TunnelFrame(
                Type.WINDOW, streamId, ByteBuffer.allocate(4).putInt(bytes).array());
    }

    /** A {@code RESET} frame with its reason. */
    public static TunnelFrame reset(int streamId, String reason) {
        return new TunnelFrame(Type.RESET, streamId, reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The {@code PING} that tells an agent which replica holds its connection. */
    public static TunnelFrame announceReplica(String replicaId) {
        return new TunnelFrame(
                Type.PING, 0, (REPLICA_ANNOUNCEMENT + replicaId).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** The replica a relay's announcing {@code PING} names, or {@code null} for any other frame. */
    public @org.jspecify.annotations.Nullable String announcedReplica() {
        if (type != Type.PING || streamId != 0) {
            return null;
        }
        String text = new String(payload, java.nio.charset.StandardCharsets.US_ASCII);
        return text.startsWith(REPLICA_ANNOUNCEMENT) && text.length() > REPLICA_ANNOUNCEMENT.length()
                ? text.substring(REPLICA_ANNOUNCEMENT.length())
                : null;
    }

    /** The count a {@code WINDOW} frame grants. */
    public int windowIncrement() {
        return ByteBuffer.wrap(payload).getInt();
    }

    /** The reason a {@code RESET} frame gives. */
    public String reason() {
        return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The frame on the wire. */
    public ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(5 + payload.length);
        buffer.put((byte) type.code).putInt(streamId).put(payload);
        return buffer.flip();
    }

    /** Bytes a frame takes inside a {@code BATCH}: its length, type, stream id and payload. */
    public int batchedSize() {
        return 9 + payload.length;
    }

    /** Several frames as one {@code BATCH} message; they must fit in {@link #MAX_FRAME} together. */
    public static ByteBuffer encodeBatch(java.util.List<TunnelFrame> frames) {
        int size = 5;
        for (TunnelFrame frame : frames) {
            size += frame.batchedSize();
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put((byte) Type.BATCH.code).putInt(0);
        for (TunnelFrame frame : frames) {
            buffer.putInt(5 + frame.payload.length)
                    .put((byte) frame.type.code)
                    .putInt(frame.streamId)
                    .put(frame.payload);
        }
        return buffer.flip();
    }

    /**
     * The messages that carry {@code frames}, in order: one per frame, or, on a connection that batches, as few {@code
     * BATCH} messages as fit {@link #MAX_FRAME}, a frame left alone going as itself.
     */
    public static java.util.List<ByteBuffer> messages(java.util.List<TunnelFrame> frames, boolean batching) {
        java.util.List<ByteBuffer> messages = new java.util.ArrayList<>();
        if (!batching) {
            frames.forEach(frame -> messages.add(frame.encode()));
            return messages;
        }
        int start = 0;
        int size = 5;
        for (int i = 0; i < frames.size(); i++) {
            if (i > start && size + frames.get(i).batchedSize() > MAX_FRAME) {
                messages.add(message(frames.subList(start, i)));
                start = i;
                size = 5;
            }
            size += frames.get(i).batchedSize();
        }
        if (start < frames.size()) {
            messages.add(message(frames.subList(start, frames.size())));
        }
        return messages;
    }

    private static ByteBuffer message(java.util.List<TunnelFrame> frames) {
        return frames.size() == 1 ? frames.getFirst().encode() : encodeBatch(frames);
    }

    /** Reads a message: one frame, or the frames of a {@code BATCH}; anything malformed is an {@link IllegalArgumentException}. */
    public static java.util.List<TunnelFrame> decodeAll(ByteBuffer buffer) {
        TunnelFrame frame = decode(buffer);
        if (frame.type != Type.BATCH) {
            return java.util.List.of(frame);
        }
        ByteBuffer batch = ByteBuffer.wrap(frame.payload);
        java.util.List<TunnelFrame> frames = new java.util.ArrayList<>();
        while (batch.hasRemaining()) {
            if (batch.remaining() < 4) {
                throw new IllegalArgumentException("Truncated batch");
            }
            int length = batch.getInt();
            if (length < 5 || length > batch.remaining()) {
                throw new IllegalArgumentException("Batched frame of " + length + " bytes");
            }
            TunnelFrame inner = decode(batch.slice(batch.position(), length));
            if (inner.type == Type.BATCH) {
                throw new IllegalArgumentException("Nested batch");
            }
            frames.add(inner);
            batch.position(batch.position() + length);
        }
        return frames;
    }

    /**
     * The frames of a message that belong to a stream (all but {@code PING} and {@code PONG}), grouped by stream in
     * the order they came, so that each stream can be handed its frames at once.
     */
    public static java.util.Collection<java.util.List<TunnelFrame>> byStream(java.util.List<TunnelFrame> frames) {
        java.util.Map<Integer, java.util.List<TunnelFrame>> streams = new java.util.LinkedHashMap<>();
        for (TunnelFrame frame : frames) {
            if (frame.type != Type.PING && frame.type != Type.PONG) {
                streams.computeIfAbsent(frame.streamId, id -> new java.util.ArrayList<>(3))
                        .add(frame);
            }
        }
        return streams.values();
    }

    /** Reads a frame; anything malformed is an {@link IllegalArgumentException}. */
    public static TunnelFrame decode(ByteBuffer buffer) {
        if (buffer.remaining() < 5 || buffer.remaining() > MAX_FRAME) {
            throw new IllegalArgumentException("Frame of " + buffer.remaining() + " bytes");
        }
        Type type = Type.of(buffer.get());
        int streamId = buffer.getInt();
        byte[] payload = new byte[buffer.remaining()];
        buffer.get(payload);
        if (type == Type.WINDOW && payload.length != 4) {
            throw new IllegalArgumentException("WINDOW frame of " + payload.length + " bytes");
        }
        return new TunnelFrame(type, streamId, payload);
    }

    @Override
    public String toString() {
        return type + "#" + streamId + "(" + payload.length + ")";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TunnelFrame frame
                && frame.type == type
                && frame.streamId == streamId
                && java.util.Arrays.equals(frame.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + streamId) + java.util.Arrays.hashCode(payload);
    }
}
