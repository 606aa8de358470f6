package io.procmon.core;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Resolves users with the C library's {@code getpwuid_r} and {@code getpwnam_r}, so through the
 * name service switch exactly as {@code id} does (files, LDAP, SSSD, systemd-homed...), without
 * starting a process per user: a {@code getent} child of the monitor would itself appear in the
 * monitor's output. This is procmon's one policy for user names, the library's default
 * ({@link UserNameResolver#system()}) and the CLI's alike. Wrap it in a {@link CachingUserNameResolver}.
 */
public final class NssUserNameResolver implements UserNameResolver {
    private static final int ERANGE = 34;
    /** {@code struct passwd} on LP64: seven pointer-sized fields; pw_name first, pw_uid (u32) at 16. */
    private static final int PASSWD_SIZE = 64;
    private static final int PW_UID = 16;
    /** The largest buffer offered to the C library for one entry, growing from 4 KiB on ERANGE. */
    private static final int MAX_BUFFER = 1 << 20;

    /** The two calls, with their C names; package-private: the resolver is the API. */
    interface Nss extends Library {
        Nss INSTANCE = Native.load("c", Nss.class);

        int getpwuid_r(int uid, Pointer pwd, Pointer buf, long buflen, PointerByReference result);

        int getpwnam_r(String name, Pointer pwd, Pointer buf, long buflen, PointerByReference result);
    }

    /** A resolver; cheap, and safe to share between threads. */
    public NssUserNameResolver() {
    }

    @Override
    public Optional<String> lookup(int uid) {
        return entry((pwd, buf, size, result) -> Nss.INSTANCE.getpwuid_r(uid, pwd, buf, size, result),
                found -> found.getPointer(0).getString(0));
    }

    /** The uid of user {@code name}, or empty when the name service has no such user. */
    public static OptionalInt uidOf(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            return OptionalInt.empty();
        }
        Optional<Integer> uid = entry((pwd, buf, size, result) -> Nss.INSTANCE.getpwnam_r(name, pwd, buf, size, result),
                found -> found.getInt(PW_UID));
        return uid.map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    private interface Call {
        int run(Pointer pwd, Pointer buf, long size, PointerByReference result);
    }

    /** What {@code read} takes from the entry a call found, while its buffers are still held. */
    private static <T> Optional<T> entry(Call call, java.util.function.Function<Pointer, T> read) {
        for (int size = 4096; size <= MAX_BUFFER; size *= 4) {
            try (Memory pwd = new Memory(PASSWD_SIZE); Memory buf = new Memory(size)) {
                PointerByReference result = new PointerByReference();
                int rc = call.run(pwd, buf, size, result);
                if (rc == ERANGE) {
                    continue;
                }
                Pointer found = result.getValue();
                return rc != 0 || found == null ? Optional.empty() : Optional.of(read.apply(found));
            }
        }
        return Optional.empty();
    }
}
