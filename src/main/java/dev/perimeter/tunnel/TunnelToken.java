package dev.perimeter.tunnel;

import dev.perimeter.shared.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of tunnel tokens: {@code pmt_<8-char prefix>_<32-char secret>}, 160 random bits in the secret. The prefix
 * is not secret and finds the tunnel; the SHA-256 of the whole token proves it.
 */
final class TunnelToken {

    private static final Pattern FORMAT = Pattern.compile("(pmt_[a-z2-7]{8})_[a-z2-7]{32}");

    private TunnelToken() {}

    /**
     * A token and its stored parts.
     *
     * @param token the whole token, shown once
     * @param prefix its non-secret lookup prefix
     * @param hash SHA-256 of the whole token, hex
     */
    record Issued(String token, String prefix, String hash) {}

    static Issued issue() {
        String prefix = "pmt_" + Ids.random(8);
        String token = prefix + "_" + Ids.random(32);
        return new Issued(token, prefix, sha256(token));
    }

    /** The lookup prefix of a presented token, if it has our shape. */
    static Optional<String> prefixOf(String token) {
        Matcher matcher = FORMAT.matcher(token);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    static boolean matches(String token, String storedHash) {
        return MessageDigest.isEqual(
                sha256(token).getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
    }

    private static String sha256(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
