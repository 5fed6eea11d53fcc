package dev.perimeter.provider.local;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Converts between permission sets and the nine permission bits of a POSIX mode. */
final class PosixModes {

    private PosixModes() {}

    static int bits(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission permission : permissions) {
            bits |= bit(permission);
        }
        return bits;
    }

    /** The permissions in the low nine bits of {@code mode}; set-id and sticky bits are dropped. */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : PosixFilePermission.values()) {
            if ((mode & bit(permission)) != 0) {
                permissions.add(permission);
            }
        }
        return permissions;
    }

    private static int bit(PosixFilePermission permission) {
        // OWNER_READ is the first constant and 0400, OTHERS_EXECUTE the last and 0001
        return 1 << (8 - permission.ordinal());
    }
}
