package dev.perimeter.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** How a stream hands frames from its connection to the thread that reads it. */
class TunnelStreamTests {

    private final List<TunnelFrame> sent = new CopyOnWriteArrayList<>();
    private final TunnelStream stream = new TunnelStream(7, sent::add);

    @RepeatedTest(20)
    void framesThatCameTogetherAreAllThereWhenTheReaderWakes() throws Exception {
        CompletableFuture<Boolean> restWasPending = CompletableFuture.supplyAsync(() -> {
            try {
                TunnelFrame first = stream.next(5, TimeUnit.SECONDS);
                return first != null && first.type() == TunnelFrame.Type.HEAD && stream.hasPending();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(5);

        stream.deliver(List.of(head(), data(10), TunnelFrame.of(TunnelFrame.Type.END, 7)));

        assertThat(restWasPending.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stream.next(0, TimeUnit.SECONDS).type()).isEqualTo(TunnelFrame.Type.DATA);
        assertThat(stream.next(0, TimeUnit.SECONDS).type()).isEqualTo(TunnelFrame.Type.END);
        assertThat(stream.hasPending()).isFalse();
    }

    @Test
    void aQuietStreamAnswersNothingOnceTheWaitIsOver() throws Exception {
        long start = System.nanoTime();

        assertThat(stream.next(50, TimeUnit.MILLISECONDS)).isNull();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void windowFramesGrantCreditAndAreNotQueued() throws Exception {
        stream.deliver(List.of(TunnelFrame.window(7, 1024), head()));

        assertThat(stream.next(0, TimeUnit.SECONDS).type()).isEqualTo(TunnelFrame.Type.HEAD);
        assertThat(stream.hasPending()).isFalse();
    }

    @Test
    void aPeerThatOverrunsTheWindowGetsAResetAndTheReaderSeesOne() throws Exception {
        int frames = TunnelFrame.INITIAL_WINDOW / TunnelFrame.MAX_DATA + 2;
        List<TunnelFrame> flood = java.util.stream.IntStream.range(0, frames)
                .mapToObj(i -> data(TunnelFrame.MAX_DATA))
                .toList();

        stream.deliver(flood);

        assertThat(stream.failure()).isEqualTo("flow control violated");
        assertThat(sent).anySatisfy(frame -> assertThat(frame.type()).isEqualTo(TunnelFrame.Type.RESET));
        TunnelFrame frame;
        do {
            frame = stream.next(0, TimeUnit.SECONDS);
        } while (frame != null && frame.type() == TunnelFrame.Type.DATA);
        assertThat(frame).isNotNull();
        assertThat(frame.type()).isEqualTo(TunnelFrame.Type.RESET);
    }

    @Test
    void aResetFromThePeerWakesTheReaderAndTheResetListener() throws Exception {
        CompletableFuture<Void> listened = new CompletableFuture<>();
        stream.onReset(() -> listened.complete(null));

        stream.deliver(List.of(TunnelFrame.reset(7, "upstream failed")));

        listened.get(5, TimeUnit.SECONDS);
        assertThat(stream.next(0, TimeUnit.SECONDS).reason()).isEqualTo("upstream failed");
        assertThat(stream.failure()).isEqualTo("upstream failed");
    }

    private static TunnelFrame head() {
        return new TunnelFrame(TunnelFrame.Type.HEAD, 7, "head".getBytes(StandardCharsets.UTF_8));
    }

    private static TunnelFrame data(int bytes) {
        return new TunnelFrame(TunnelFrame.Type.DATA, 7, new byte[bytes]);
    }
}
