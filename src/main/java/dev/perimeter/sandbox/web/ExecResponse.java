package dev.perimeter.sandbox.web;

import dev.perimeter.provider.ExecResult;
import dev.perimeter.sandbox.ExecOutcome;
import org.jspecify.annotations.Nullable;

/**
 * A finished command. {@code stdout}/{@code stderr} are UTF-8 text; when the bytes are not valid UTF-8 the text has
 * replacement characters and {@code stdoutBase64}/{@code stderrBase64} carry the exact bytes.
 */
record ExecResponse(
        String id,
        int exitCode,
        String stdout,
        String stderr,
        @Nullable String stdoutBase64,
        @Nullable String stderrBase64,
        long durationMs,
        boolean timedOut,
        boolean truncated) {

    static ExecResponse of(ExecOutcome outcome) {
        ExecResult result = outcome.result();
        return new ExecResponse(
                outcome.execId(),
                result.exitCode(),
                OutputText.text(result.stdout()),
                OutputText.text(result.stderr()),
                OutputText.base64UnlessUtf8(result.stdout()),
                OutputText.base64UnlessUtf8(result.stderr()),
                result.duration().toMillis(),
                result.timedOut(),
                result.truncated());
    }
}
