package io.procmon.bpf.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.procmon.core.UserNameResolver;
import java.util.Optional;

/**
 * Resolves uids with the C library's {@code getpwuid_r}, so through the name service switch
 * exactly as {@code id -nu} does, without starting a process per user (a {@code getent} child of
 * the monitor would itself appear in the monitor's output). Wrap it in a
 * {@link io.procmon.core.CachingUserNameResolver}.
 */
public final class NssUserNameResolver implements UserNameResolver {
    private static final int ERANGE = 34;
    /** {@code struct passwd} on LP64: seven pointer-sized fields; pw_name is the first. */
    private static final int PASSWD_SIZE = 64;

    @Override
    public Optional<String> lookup(int uid) {
        for (int size = 4096; size <= 1 << 20; size *= 4) {
            try (Memory pwd = new Memory(PASSWD_SIZE); Memory buf = new Memory(size)) {
                PointerByReference result = new PointerByReference();
                int rc = LibC.INSTANCE.getpwuid_r(uid, pwd, buf, size, result);
                if (rc == ERANGE) {
                    continue;
                }
                Pointer found = result.getValue();
                if (rc != 0 || found == null) {
                    return Optional.empty();
                }
                return Optional.of(found.getPointer(0).getString(0));
            }
        }
        return Optional.empty();
    }
}
