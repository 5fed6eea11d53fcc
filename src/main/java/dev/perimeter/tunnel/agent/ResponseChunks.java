package dev.perimeter.tunnel.agent;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * The upstream's response body as the chunks the HTTP client receives, taken one at a time by the thread that relays
 * them. Unlike the client's own input stream it tells whether the next chunk, or the end, can be taken without
 * waiting, so that a body and its end that arrive together leave together. It asks the client for one chunk at a
 * time, so nothing more than that is ever buffered here.
 */
final class ResponseChunks implements HttpResponse.BodySubscriber<ResponseChunks> {

    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<ResponseChunks> body = CompletableFuture.completedFuture(this);
    private volatile Flow.@Nullable Subscription subscription;
    private volatile boolean closed;

    @Override
    public CompletionStage<ResponseChunks> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (closed) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable error) {
        queue.add(error);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /** Whether {@link #next()} would answer without waiting. */
    boolean ready() {
        return !queue.isEmpty();
    }

    /** The next chunk's bytes, or {@code null} at the end of the body. */
    byte @Nullable [] next() throws IOException, InterruptedException {
        Object item = queue.take();
        if (item == END) {
            queue.add(END);
            return null;
        }
        if (item instanceof Throwable error) {
            queue.add(error);
            throw error instanceof IOException io ? io : new IOException(error);
        }
        if (closed) {
            throw new IOException("closed");
        }
        @SuppressWarnings("unchecked")
        List<ByteBuffer> buffers = (List<ByteBuffer>) item;
        int size = 0;
        for (ByteBuffer buffer : buffers) {
            size += buffer.remaining();
        }
        byte[] bytes = new byte[size];
        int position = 0;
        for (ByteBuffer buffer : buffers) {
            int n = buffer.remaining();
            buffer.get(bytes, position, n);
            position += n;
        }
        Flow.Subscription current = subscription;
        if (current != null) {
            current.request(1);
        }
        return bytes;
    }

    /** Stops the body: the exchange is cancelled and a waiting {@link #next()} fails. */
    void close() {
        closed = true;
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        queue.add(new IOException("closed"));
    }
}
