package dev.perimeter.provider;

/**
 * Receives a command's output as it arrives. Called from the provider's reader threads, one call at a time per
 * stream; chunks past the output cap are not passed on.
 */
public interface ExecOutput {

    /** Discards everything. */
    ExecOutput DISCARD = new ExecOutput() {
        @Override
        public void stdout(byte[] chunk) {}

        @Override
        public void stderr(byte[] chunk) {}
    };

    void stdout(byte[] chunk);

    void stderr(byte[] chunk);
}
