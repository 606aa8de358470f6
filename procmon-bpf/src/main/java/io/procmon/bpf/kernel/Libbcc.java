package io.procmon.bpf.kernel;

import io.procmon.bpf.BpfException;

/** Access to libbcc, with a clear error when it is not installed. */
public final class Libbcc {
    /** The Debian/Ubuntu package that ships {@value BccNative#SONAME}. */
    public static final String PACKAGE = "libbpfcc";

    private Libbcc() {
    }

    static BccNative lib() {
        try {
            return BccNative.Holder.INSTANCE;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new BpfException(BpfException.Reason.LIBBCC_MISSING, "cannot load " + BccNative.SONAME
                    + ": not found; install it with: apt-get install " + PACKAGE, e);
        }
    }

    /**
     * Loads libbcc now.
     *
     * @throws BpfException with reason LIBBCC_MISSING when it cannot be loaded
     */
    public static void ensureLoaded() {
        lib();
    }

    /** Closes a file descriptor, ignoring errors (used on cleanup paths). */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
        }
    }

    /**
     * Mounts tracefs at {@code target}.
     *
     * @throws BpfException with reason NO_TRACEFS when mount(2) fails
     */
    public static void mountTracefs(String target) {
        int rc = LibC.INSTANCE.mount("nodev", target, "tracefs", 0, null);
        if (rc != 0) {
            throw new BpfException(BpfException.Reason.NO_TRACEFS,
                    "cannot mount tracefs at " + target + ": " + Errno.describe(Errno.of(rc)));
        }
    }
}
