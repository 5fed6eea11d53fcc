package dev.perimeter.provider.modal;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Counts every call by bare method name and, per test, answers the next calls of a method with a failure (optionally
 * carrying a {@code google.rpc.RetryInfo} delay, as a rate-limited server does) or holds them before they proceed.
 */
final class FakeFaults implements ServerInterceptor {

    private record Fault(@Nullable Status status, @Nullable Duration retryDelay, @Nullable Duration stall) {}

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();

    void failNext(String method, int times, Status status, @Nullable Duration retryDelay) {
        for (int i = 0; i < times; i++) {
            queue(method).add(new Fault(status, retryDelay, null));
        }
    }

    void stallNext(String method, int times, Duration stall) {
        for (int i = 0; i < times; i++) {
            queue(method).add(new Fault(null, null, stall));
        }
    }

    int calls(String method) {
        AtomicInteger count = calls.get(method);
        return count == null ? 0 : count.get();
    }

    void reset() {
        faults.clear();
        calls.clear();
    }

    private Deque<Fault> queue(String method) {
        return faults.computeIfAbsent(method, m -> new ArrayDeque<>());
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
        Deque<Fault> queue = faults.get(method);
        Fault fault;
        synchronized (this) {
            fault = queue == null ? null : queue.poll();
        }
        if (fault == null) {
            return next.startCall(call, headers);
        }
        if (fault.stall() != null) {
            try {
                Thread.sleep(fault.stall());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return next.startCall(call, headers);
        }
        Status status = fault.status();
        if (fault.retryDelay() != null) {
            StatusRuntimeException rich = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                    .setCode(status.getCode().value())
                    .setMessage(status.getDescription() == null ? "" : status.getDescription())
                    .addDetails(Any.pack(RetryInfo.newBuilder()
                            .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                                    .setSeconds(fault.retryDelay().toSeconds())
                                    .setNanos(fault.retryDelay().toNanosPart()))
                            .build()))
                    .build());
            call.close(rich.getStatus(), rich.getTrailers());
        } else {
            call.close(status, new Metadata());
        }
        return new ServerCall.Listener<>() {};
    }
}
