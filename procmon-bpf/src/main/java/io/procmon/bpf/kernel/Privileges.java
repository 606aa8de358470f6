package io.procmon.bpf.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/** What this process may do with eBPF and perf events: its capabilities, and the kernel's perf_event_paranoid. */
public final class Privileges {
    public static final int CAP_SYS_ADMIN = 21;
    public static final int CAP_PERFMON = 38;
    public static final int CAP_BPF = 39;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final Path PARANOID = Path.of("/proc/sys/kernel/perf_event_paranoid");

    private Privileges() {
    }

    /** CapEff of this process, from /proc/self/status; 0 when unreadable (treated as unprivileged). */
    public static long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 0;
    }

    public static boolean has(long caps, int cap) {
        return (caps & (1L << cap)) != 0;
    }

    /** kernel.perf_event_paranoid, or empty when it cannot be read. */
    static OptionalInt perfEventParanoid() {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(PARANOID).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Why perf_event_open was refused, when the reason is Debian's and Ubuntu's kernel patch: at a
     * perf_event_paranoid above 2 it lets only CAP_SYS_ADMIN open perf events, where upstream
     * kernels take CAP_PERFMON.
     */
    static Optional<String> perfEventRefusal(int errno, OptionalInt paranoid, long caps) {
        if ((errno != EACCES && errno != EPERM) || paranoid.isEmpty() || paranoid.getAsInt() <= 2 || has(caps, CAP_SYS_ADMIN)) {
            return Optional.empty();
        }
        return Optional.of("kernel.perf_event_paranoid is " + paranoid.getAsInt() + ", at which Debian's and Ubuntu's kernels"
                + " let only CAP_SYS_ADMIN open perf events: run procmon as root or with CAP_SYS_ADMIN too");
    }
}
