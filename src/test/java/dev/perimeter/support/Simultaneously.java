package dev.perimeter.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Races for tests: calls on threads of their own, released at the same moment. */
public final class Simultaneously {

    private Simultaneously() {}

    /** Runs the calls at once on {@code threads} (one free thread each) and answers their results in order. */
    public static <T> List<T> run(ExecutorService threads, List<Callable<T>> calls) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> pending = new ArrayList<>();
        for (Callable<T> call : calls) {
            pending.add(threads.submit(() -> {
                start.await();
                return call.call();
            }));
        }
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> result : pending) {
            results.add(result.get());
        }
        return results;
    }
}
