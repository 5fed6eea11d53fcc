package dev.perimeter.shared;

import java.security.SecureRandom;

/**
 * Opaque, type-prefixed identifiers ({@code sbx_…}, {@code snap_…}): a prefix and 20 random base-32 characters (100
 * bits), lower case so they are safe in DNS labels and Kubernetes names.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int RANDOM_CHARS = 20;

    private Ids() {}

    /** A new id such as {@code sbx_k3j…}. */
    public static String next(String prefix) {
        return prefix + "_" + random(RANDOM_CHARS);
    }

    /** {@code length} random base-32 characters, 5 bits each. */
    public static String random(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    /** Whether {@code id} has the shape of an id with this prefix; used to reject garbage before a query. */
    public static boolean looksLike(String prefix, String id) {
        return id != null && id.length() <= 64 && id.startsWith(prefix + "_") && id.matches("[a-z]+_[a-z0-9]+");
    }
}
