package dev.perimeter.tenant;

import dev.perimeter.shared.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of Perimeter's API keys: {@code pmk_<8-char prefix>_<32-char secret>}, 160 random bits in the secret. The
 * prefix is not secret and finds the stored row; the SHA-256 of the whole key proves it.
 */
final class KeyMaterial {

    private static final Pattern FORMAT = Pattern.compile("(pmk_[a-z2-7]{8})_[a-z2-7]{32}");

    private KeyMaterial() {}

    /**
     * A key and its stored parts.
     *
     * @param key the whole key, shown once
     * @param prefix its non-secret lookup prefix
     * @param hash SHA-256 of the whole key, hex
     */
    record Issued(String key, String prefix, String hash) {

        /** Without the key, which must never reach a log line. */
        @Override
        public String toString() {
            return "Issued[prefix=" + prefix + ", key=[redacted]]";
        }
    }

    static Issued issue() {
        String prefix = "pmk_" + Ids.random(8);
        String key = prefix + "_" + Ids.random(32);
        return new Issued(key, prefix, sha256(key));
    }

    /**
     * The lookup prefix of a presented key. Keys in our format carry it; an operator-chosen bootstrap key in another
     * format is found by a prefix derived from its hash.
     */
    static String prefixOf(String key) {
        Matcher matcher = FORMAT.matcher(key);
        if (matcher.matches()) {
            return matcher.group(1);
        }
        return "ext_" + sha256(key).substring(0, 16);
    }

    static String sha256(String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static boolean matches(String key, String storedHash) {
        return MessageDigest.isEqual(
                sha256(key).getBytes(StandardCharsets.US_ASCII), storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
