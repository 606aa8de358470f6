package io.procmon.bpf.kernel;

import com.sun.jna.Native;
import java.util.Map;

/** Turns a failed C call into "ENAME (message)". */
final class Errno {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"),
            Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"),
            Map.entry(17, "EEXIST"), Map.entry(19, "ENODEV"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"),
            Map.entry(28, "ENOSPC"), Map.entry(38, "ENOSYS"), Map.entry(95, "EOPNOTSUPP"), Map.entry(524, "ENOTSUPP"));

    private Errno() {
    }

    /**
     * The errno of a call that returned {@code result < 0}: libbcc returns {@code -errno} from some
     * calls and sets errno in others, and may leave errno set after a success, so the result is
     * checked first and errno only read for a plain -1.
     */
    static int of(int result) {
        if (result < -1) {
            return -result;
        }
        int errno = Native.getLastError();
        return errno != 0 ? errno : 1;
    }

    /** Returns {@code result}, or throws "operation: ENAME (message)" when it is negative. */
    static int check(int result, String operation) {
        if (result < 0) {
            throw new io.procmon.bpf.BpfException(io.procmon.bpf.BpfException.Reason.KERNEL,
                    "cannot " + operation + ": " + describe(of(result)));
        }
        return result;
    }

    static String describe(int errno) {
        String message;
        try {
            message = LibC.INSTANCE.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            message = "error " + errno;
        }
        return NAMES.getOrDefault(errno, "errno " + errno) + " (" + message + ")";
    }
}
