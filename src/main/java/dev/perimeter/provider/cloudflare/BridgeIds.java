package dev.perimeter.provider.cloudflare;

import java.nio.charset.StandardCharsets;

/**
 * Names a bridge sandbox after our sandbox id. The bridge accepts any caller-chosen name matching {@code
 * [a-z2-7]{1,128}} on its {@code /v1/sandbox/:id/*} routes and binds a container to it on first use, so the name is the
 * lower-case base32 of our id: a retried create reaches the same sandbox.
 */
final class BridgeIds {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final String SHAPE = "[a-z2-7]{1,128}";

    private BridgeIds() {}

    /** The bridge name for our sandbox id. */
    static String of(String sandboxId) {
        byte[] bytes = sandboxId.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 0x1f]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 0x1f]);
        }
        if (out.length() > 128) {
            throw new IllegalArgumentException("Sandbox id '" + sandboxId + "' is too long for a bridge sandbox name");
        }
        return out.toString();
    }

    /**
     * The bridge name for a reference Perimeter passes back: the bridge name itself, or our sandbox id when a create
     * failed before a reference was recorded.
     */
    static String fromRef(String ref) {
        return ref.matches(SHAPE) ? ref : of(ref);
    }
}
