package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire format of frames and batches, and how a stream holds frames back to send them together. */
class TunnelFrameTests {

    private static final TunnelFrame HEAD =
            new TunnelFrame(TunnelFrame.Type.HEAD, 3, "head".getBytes(StandardCharsets.UTF_8));
    private static final TunnelFrame DATA = new TunnelFrame(TunnelFrame.Type.DATA, 3, new byte[1000]);
    private static final TunnelFrame END = TunnelFrame.of(TunnelFrame.Type.END, 3);

    @Test
    void aBatchCarriesItsFramesInOrder() {
        List<TunnelFrame> frames = List.of(HEAD, DATA, END, TunnelFrame.window(5, 4096));

        assertThat(TunnelFrame.decodeAll(TunnelFrame.encodeBatch(frames))).containsExactlyElementsOf(frames);
    }

    @Test
    void framesArePackedIntoAsFewMessagesAsFitAFrameOrSentOneByOne() {
        TunnelFrame full = new TunnelFrame(TunnelFrame.Type.DATA, 3, new byte[TunnelFrame.MAX_DATA]);
        List<TunnelFrame> frames = List.of(HEAD, full, full, full, END);

        List<ByteBuffer> batched = TunnelFrame.messages(frames, true);
        assertThat(batched).hasSize(2).allSatisfy(message -> assertThat(message.remaining())
                .isLessThanOrEqualTo(TunnelFrame.MAX_FRAME));
        assertThat(batched.stream().flatMap(message -> TunnelFrame.decodeAll(message.duplicate()).stream()))
                .containsExactlyElementsOf(frames);
        assertThat(TunnelFrame.decode(TunnelFrame.messages(List.of(END), true).getFirst()))
                .as("a lone frame goes as itself, not in a batch")
                .isEqualTo(END);
        assertThat(TunnelFrame.messages(frames, false))
                .extracting(message -> TunnelFrame.decode(message.duplicate()))
                .containsExactlyElementsOf(frames);
    }

    @Test
    void aMessagesFramesAreGroupedByStreamInOrderWithoutPingsAndPongs() {
        TunnelFrame otherHead = new TunnelFrame(TunnelFrame.Type.HEAD, 5, new byte[0]);
        TunnelFrame ping = new TunnelFrame(TunnelFrame.Type.PING, 0, new byte[8]);
        TunnelFrame pong = new TunnelFrame(TunnelFrame.Type.PONG, 0, new byte[8]);

        assertThat(TunnelFrame.byStream(List.of(HEAD, ping, otherHead, DATA, pong, END)))
                .containsExactly(List.of(HEAD, DATA, END), List.of(otherHead));
    }

    @Test
    void onlyTheRelaysAnnouncingPingNamesAReplica() {
        TunnelFrame announcement =
                TunnelFrame.decode(TunnelFrame.announceReplica("rep_abc").encode());

        assertThat(announcement.type()).isEqualTo(TunnelFrame.Type.PING);
        assertThat(announcement.announcedReplica()).isEqualTo("rep_abc");
        assertThat(new TunnelFrame(TunnelFrame.Type.PING, 0, new byte[8]).announcedReplica())
                .isNull();
        assertThat(new TunnelFrame(TunnelFrame.Type.PONG, 0, announcement.payload()).announcedReplica())
                .isNull();
        assertThat(new TunnelFrame(TunnelFrame.Type.PING, 0, "replica=".getBytes(StandardCharsets.US_ASCII))
                        .announcedReplica())
                .isNull();
    }

    @Test
    void aSingleFrameDecodesAsItself() {
        assertThat(TunnelFrame.decodeAll(DATA.encode())).containsExactly(DATA);
    }

    @Test
    void malformedBatchesAreRefused() {
        ByteBuffer nested = TunnelFrame.encodeBatch(List.of(HEAD));
        byte[] inner = new byte[nested.remaining()];
        nested.get(inner);
        ByteBuffer withNested = ByteBuffer.allocate(5 + 4 + inner.length)
                .put((byte) 8)
                .putInt(0)
                .putInt(inner.length)
                .put(inner);
        ByteBuffer overlong = ByteBuffer.allocate(5 + 4 + 5)
                .put((byte) 8)
                .putInt(0)
                .putInt(500)
                .put((byte) 3)
                .putInt(1);
        ByteBuffer truncated =
                ByteBuffer.allocate(5 + 2).put((byte) 8).putInt(0).put((byte) 0).put((byte) 0);
        ByteBuffer tooShort = ByteBuffer.allocate(5 + 4 + 2)
                .put((byte) 8)
                .putInt(0)
                .putInt(2)
                .put((byte) 3)
                .put((byte) 0);

        for (ByteBuffer message : List.of(withNested, overlong, truncated, tooShort)) {
            assertThatThrownBy(() -> TunnelFrame.decodeAll(message.flip()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aHoldingStreamSendsWhatItHeldTogetherOnFlush() throws Exception {
        List<List<TunnelFrame>> sent = new ArrayList<>();
        TunnelStream stream = new TunnelStream(3, recording(sent));

        stream.hold();
        stream.sendHead(HEAD.payload());
        stream.sendData(DATA.payload(), 0, DATA.payload().length);
        stream.sendEnd();
        assertThat(sent).isEmpty();
        stream.flush();

        assertThat(sent).containsExactly(List.of(HEAD, DATA, END));
    }

    @Test
    void aStreamThatDoesNotHoldSendsEachFrameAtOnce() throws Exception {
        List<List<TunnelFrame>> sent = new ArrayList<>();
        TunnelStream stream = new TunnelStream(3, recording(sent));

        stream.sendHead(HEAD.payload());
        stream.sendEnd();

        assertThat(sent).containsExactly(List.of(HEAD), List.of(END));
    }

    @Test
    void heldFramesNeverMakeAMessageLargerThanAFrameMayBe() throws Exception {
        List<List<TunnelFrame>> sent = new ArrayList<>();
        TunnelStream stream = new TunnelStream(3, recording(sent));
        byte[] body = new byte[200 * 1024];

        stream.hold();
        stream.sendHead(HEAD.payload());
        stream.sendData(body, 0, body.length);
        stream.sendEnd();
        stream.flush();

        assertThat(sent).allSatisfy(message -> assertThat(
                        message.stream().mapToInt(TunnelFrame::batchedSize).sum())
                .isLessThanOrEqualTo(TunnelFrame.MAX_FRAME - 5));
        assertThat(sent.stream()
                        .flatMap(List::stream)
                        .filter(frame -> frame.type() == TunnelFrame.Type.DATA)
                        .mapToInt(frame -> frame.payload().length)
                        .sum())
                .isEqualTo(body.length);
        assertThat(sent.getLast().getLast()).isEqualTo(END);
    }

    @Test
    void aHoldingStreamFlushesBeforeWaitingForWindow() throws Exception {
        List<List<TunnelFrame>> sent = new ArrayList<>();
        TunnelStream stream = new TunnelStream(3, recording(sent));
        byte[] body = new byte[TunnelFrame.INITIAL_WINDOW];
        stream.hold();
        stream.sendData(body, 0, body.length);

        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                stream.sendData(new byte[10], 0, 10);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (framesIn(sent) < body.length / TunnelFrame.MAX_DATA) {
            Thread.sleep(1);
        }
        stream.deliver(TunnelFrame.window(3, 10));
        sender.join();
        stream.flush();

        assertThat(framesIn(sent)).isEqualTo(body.length / TunnelFrame.MAX_DATA + 1);
    }

    private static int framesIn(List<List<TunnelFrame>> sent) {
        synchronized (sent) {
            return sent.stream().mapToInt(List::size).sum();
        }
    }

    private static TunnelStream.Sender recording(List<List<TunnelFrame>> sent) {
        return new TunnelStream.Sender() {
            @Override
            public void send(TunnelFrame frame) {
                send(List.of(frame));
            }

            @Override
            public void send(List<TunnelFrame> frames) {
                synchronized (sent) {
                    sent.add(List.copyOf(frames));
                }
            }
        };
    }
}
