package dev.perimeter.provider;

import java.time.Duration;

/**
 * How a command ended.
 *
 * @param exitCode the exit code; {@code 128 + signal} when killed, {@code -1} when unknown
 * @param stdout captured standard output, at most the cap
 * @param stderr captured standard error, at most the cap
 * @param duration wall time from start to exit
 * @param timedOut whether the timeout killed it
 * @param truncated whether either stream passed the cap
 */
public record ExecResult(
        int exitCode, byte[] stdout, byte[] stderr, Duration duration, boolean timedOut, boolean truncated) {}
