package io.procmon.bpf.prog;

import io.procmon.core.CommandNames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one definition of the record the exit program sends and the Java side decodes, and of the
 * start record the exec program keeps. Both the program builder and the decoder use these
 * offsets; nothing else may hard-code them. Host byte order.
 *
 * <pre>
 * event (88 bytes; 120 with who)         start record (24 bytes; 56 with who, map value)
 *  0 u64 exec_ns                          0 u64 exec_ns
 *  8 u64 exit_ns                          8 u32 ppid at exec
 * 16 u32 pid (tgid)                      12 s32 exe_len (with executable paths)
 * 20 u32 ppid at exec                    16 identity, read at the first exec (8 or 40 bytes)
 * 24 u32 parent at exit                  56 u8  exe[256] (with executable paths: 312 bytes)
 * 28 u32 uid
 * 32 u32 exit_code (task->exit_code)     identity (8 bytes; 40 with who, FLAG_HAS_WHO)
 * 36 u32 flags                            0 u64 the parent's start (its leader's start_boottime)
 * 40 u8  comm[16]                         8 u32 login uid (audit; -1 unset or unknown)
 * 56 u64 cgroup v2 id (0 unless           12 u32 audit session id (-1 unset or unknown)
 *        cgroups are recorded)           16 u32 effective uid (-1 unknown)
 * 64 u64 cgroup id in the v1 memory      20 u32 zero
 *        hierarchy (0 unless recorded)   24 u8  tty name[16] (tty_struct.name: "pts3"), NUL when none
 * 72 u64 the process's start (its leader's start_boottime)
 * 80 identity, copied from the start record (or read at exit without one; no parent then);
 *    the who fields are carried only when asked for, and their space is there with executable paths
 * with executable paths (FLAG_HAS_EXE):
 * 120 s32 exe_len (probe_read_str result)
 * 124 u32 padding
 * 128 u8  exe[256]
 *
 * exec record (FLAG_EXEC_RECORD; sent at each exec when asked for): bytes 0 to 80 as an event's
 * (exec_ns the time of this exec; exit_ns, parent at exit and exit_code zero), then the start
 * record as the map holds it after this exec (104 bytes, 136 with who, 392 with executable paths)
 *
 * arguments record (40 bytes + the arguments; sent at exec, flags FLAG_ARGS_RECORD)
 *  0 u64 exec_ns of this exec
 *  8 u64 total bytes of the arguments (arg_end - arg_start)
 * 16 u32 pid (tgid)
 * 20 u32 bytes copied (at most the configured maximum)
 * 24 u64 zero
 * 32 u32 zero
 * 36 u32 flags
 * 40 u8  the arguments, NUL-separated, as in /proc/PID/cmdline
 * </pre>
 */
public final class EventLayout {
    public static final int EXEC_NS = 0;
    public static final int EXIT_NS = 8;
    public static final int PID = 16;
    public static final int PPID = 20;
    public static final int PARENT_AT_EXIT = 24;
    public static final int UID = 28;
    public static final int EXIT_CODE = 32;
    public static final int FLAGS = 36;
    public static final int COMM = 40;
    public static final int COMM_SIZE = 16;
    public static final int CGROUP_ID = 56;
    public static final int CGROUP_V1_ID = 64;
    public static final int TASK_START_NS = 72;
    public static final int IDENTITY = 80;
    /** An exit record without the who fields: the identity block's parent start alone. */
    public static final int SIZE = IDENTITY + Identity.LOGIN_UID;
    /** With the who fields ({@link #FLAG_HAS_WHO}), or with an executable path (the block is there, unread without the flag). */
    public static final int SIZE_WITH_WHO = IDENTITY + Identity.SIZE;
    public static final int EXE_LEN = SIZE_WITH_WHO;
    public static final int EXE = SIZE_WITH_WHO + 8;
    public static final int EXE_SIZE = 256;
    public static final int SIZE_WITH_EXE = EXE + EXE_SIZE;

    /** Flag: no start record; EXEC_NS holds the task's own start time and PPID is zero. */
    public static final int FLAG_NO_START_RECORD = 1;
    /** Flag: the record carries EXE_LEN and EXE. */
    public static final int FLAG_HAS_EXE = 2;
    /** Flag: this is an arguments record, not an exit event. */
    public static final int FLAG_ARGS_RECORD = 4;
    /**
     * A release record: the first {@link #RELEASE_SIZE} bytes of an exit record whose exit a kernel
     * filter dropped, sent when arguments are recorded so that those of the process are let go.
     */
    public static final int FLAG_RELEASE = 8;
    public static final int RELEASE_SIZE = FLAGS + 4;
    /** Flag: the record's identity block holds the who fields (login, session, effective uid, terminal). */
    public static final int FLAG_HAS_WHO = 32;
    /**
     * Flag: an exec record, sent at each exec when asked for: the first {@link #EXEC_HEADER_SIZE}
     * bytes of an exit record (EXEC_NS the time of this exec; no exit), then the start record.
     */
    public static final int FLAG_EXEC_RECORD = 16;
    public static final int EXEC_HEADER_SIZE = IDENTITY;

    public static final int ARGS_EXEC_NS = 0;
    public static final int ARGS_TOTAL = 8;
    public static final int ARGS_PID = 16;
    public static final int ARGS_COPIED = 20;
    public static final int ARGS_SCRATCH = 24;
    public static final int ARGS_HEADER = 40;
    /** The most argument bytes a record may carry (a perf record must stay under 64 KiB). */
    public static final int ARGS_MAX_LIMIT = 32 * 1024;

    public static final int START_EXEC_NS = 0;
    public static final int START_PPID = 8;
    public static final int START_EXE_LEN = 12;
    public static final int START_IDENTITY = 16;
    public static final int START_SIZE = START_IDENTITY + Identity.LOGIN_UID;
    public static final int START_SIZE_WITH_WHO = START_IDENTITY + Identity.SIZE;
    public static final int START_EXE = START_SIZE_WITH_WHO;
    public static final int START_SIZE_WITH_EXE = START_EXE + EXE_SIZE;

    /** An id a record does not carry: the audit's own "unset", as the kernel writes it. */
    private static final int UNKNOWN = io.procmon.core.ProcessEvent.ID_UNKNOWN;

    /** Who a process is, beyond its pid: read at its first exec and carried to its exit record. */
    public static final class Identity {
        /** The parent's start time (boot-time ns of its leader), 0 when unknown. */
        public static final int PARENT_START_NS = 0;
        /** The audit login uid; -1 when unset or not recorded. The session id follows it. */
        public static final int LOGIN_UID = 8;
        public static final int SESSION_ID = 12;
        public static final int EUID = 16;
        public static final int TTY = 24;
        public static final int TTY_SIZE = 16;
        public static final int SIZE = 40;

        private Identity() {
        }
    }

    /** Size of the event record the exit program sends. */
    public static int eventSize(boolean withExe, boolean withWho) {
        return withExe ? SIZE_WITH_EXE : withWho ? SIZE_WITH_WHO : SIZE;
    }

    /** Size of the start record the exec program keeps. */
    public static int startSize(boolean withExe, boolean withWho) {
        return withExe ? START_SIZE_WITH_EXE : withWho ? START_SIZE_WITH_WHO : START_SIZE;
    }

    private EventLayout() {
    }

    /**
     * Decodes one exit record, once: every field the Java side uses. Reads from the buffer's
     * position, which must be in host order (as the perf rings hand samples over); the kernel pads
     * samples, so the buffer may hold more. Copies what it keeps.
     *
     * @throws IllegalArgumentException when fewer than {@link #SIZE} bytes remain, or the order is not the host's
     */
    public static ExitRecord decodeExit(ByteBuffer sample) {
        return decode(sample, SIZE, SIZE_WITH_WHO, SIZE_WITH_EXE, IDENTITY, EXE_LEN, EXE);
    }

    /** Whether the sample is an exec record ({@link #FLAG_EXEC_RECORD}). */
    public static boolean isExecRecord(ByteBuffer sample) {
        requireNativeOrder(sample);
        return sample.remaining() >= RELEASE_SIZE && (sample.getInt(sample.position() + FLAGS) & FLAG_EXEC_RECORD) != 0;
    }

    /**
     * Decodes an exec record (host order, as {@link #decodeExit}): as an exit record without an
     * exit, its identity and path from the start record that follows the header.
     */
    public static ExitRecord decodeExec(ByteBuffer sample) {
        return decode(sample, EXEC_HEADER_SIZE + START_SIZE, EXEC_HEADER_SIZE + START_SIZE_WITH_WHO,
                EXEC_HEADER_SIZE + START_SIZE_WITH_EXE,
                EXEC_HEADER_SIZE + START_IDENTITY, EXEC_HEADER_SIZE + START_EXE_LEN, EXEC_HEADER_SIZE + START_EXE);
    }

    private static ExitRecord decode(ByteBuffer sample, int size, int sizeWithWho, int sizeWithExe, int identityAt, int exeLenAt,
            int exeAt) {
        requireNativeOrder(sample);
        if (sample.remaining() < size) {
            throw new IllegalArgumentException("event sample too short: " + sample.remaining() + " < " + size + " bytes");
        }
        int base = sample.position();
        int flags = sample.getInt(base + FLAGS);
        byte[] exe = null;
        boolean exeTruncated = false;
        if ((flags & FLAG_HAS_EXE) != 0 && sample.remaining() >= sizeWithExe) {
            int length = sample.getInt(base + exeLenAt); // bytes copied, NUL included; <= 0 when unreadable
            if (length > 1) {
                exe = new byte[Math.min(length, EXE_SIZE) - 1];
                sample.get(base + exeAt, exe);
                exeTruncated = length >= EXE_SIZE;
            }
        }
        int identity = base + identityAt;
        boolean who = (flags & FLAG_HAS_WHO) != 0 && sample.remaining() >= sizeWithWho;
        return new ExitRecord(sample.getLong(base + EXEC_NS), sample.getLong(base + EXIT_NS), sample.getInt(base + PID),
                sample.getInt(base + PPID), sample.getInt(base + PARENT_AT_EXIT), sample.getInt(base + UID),
                sample.getInt(base + EXIT_CODE), flags, comm(sample, base + COMM), sample.getLong(base + CGROUP_ID),
                sample.getLong(base + CGROUP_V1_ID), exe, exeTruncated, sample.getLong(base + TASK_START_NS),
                sample.getLong(identity + Identity.PARENT_START_NS), who ? sample.getInt(identity + Identity.LOGIN_UID) : UNKNOWN,
                who ? sample.getInt(identity + Identity.SESSION_ID) : UNKNOWN, who ? sample.getInt(identity + Identity.EUID) : UNKNOWN,
                who ? ttyName(sample, identity + Identity.TTY) : null);
    }

    /**
     * The command's bytes up to its NUL, read as two longs: a bulk get of 16 bytes costs more
     * (a native copy) than the bytes themselves, on the path every process takes.
     */
    private static byte[] comm(ByteBuffer b, int at) {
        long low = b.getLong(at);
        long high = b.getLong(at + 8);
        boolean little = b.order() == ByteOrder.LITTLE_ENDIAN;
        int length = 0;
        while (length < COMM_SIZE && byteOf(low, high, length, little) != 0) {
            length++;
        }
        byte[] comm = new byte[length];
        for (int i = 0; i < length; i++) {
            comm[i] = byteOf(low, high, i, little);
        }
        return comm;
    }

    /**
     * The terminal as {@code /dev} names it: the kernel's {@code pts3} is {@code pts/3}; null when
     * the process has none. The name is the kernel's (a driver's), yet kept printable like any name.
     */
    private static String ttyName(ByteBuffer b, int at) {
        int length = 0;
        while (length < Identity.TTY_SIZE && b.get(at + length) != 0) {
            length++;
        }
        if (length == 0) {
            return null;
        }
        byte[] name = new byte[length];
        b.get(at, name);
        String text = CommandNames.decode(name);
        if (text.length() > 3 && text.startsWith("pts") && text.chars().skip(3).allMatch(c -> c >= '0' && c <= '9')) {
            return "pts/" + text.substring(3);
        }
        return text;
    }

    private static byte byteOf(long low, long high, int i, boolean little) {
        long word = i < 8 ? low : high;
        int shift = little ? (i & 7) * 8 : (7 - (i & 7)) * 8;
        return (byte) (word >>> shift);
    }

    /** Whether the sample is a release record ({@link #FLAG_RELEASE}); its exec and exit times, pid and flags read as an exit record's. */
    public static boolean isRelease(ByteBuffer sample) {
        requireNativeOrder(sample);
        return sample.remaining() >= RELEASE_SIZE && (sample.getInt(sample.position() + FLAGS) & FLAG_RELEASE) != 0;
    }

    /** Decodes a release record (host order, as {@link #decodeExit}); call only when {@link #isRelease} holds. */
    public static ReleaseRecord decodeRelease(ByteBuffer sample) {
        requireNativeOrder(sample);
        if (sample.remaining() < RELEASE_SIZE) {
            throw new IllegalArgumentException("release sample too short: " + sample.remaining() + " < " + RELEASE_SIZE + " bytes");
        }
        int base = sample.position();
        return new ReleaseRecord(sample.getInt(base + PID), sample.getLong(base + EXEC_NS), sample.getLong(base + EXIT_NS),
                (sample.getInt(base + FLAGS) & FLAG_NO_START_RECORD) != 0);
    }

    /** An exit the kernel dropped by a filter: the arguments held for it may go. */
    public record ReleaseRecord(int pid, long execNanos, long exitNanos, boolean noStartRecord) {
    }

    /** Whether the sample is an arguments record. */
    public static boolean isArgsRecord(ByteBuffer sample) {
        requireNativeOrder(sample);
        return sample.remaining() >= ARGS_HEADER && (sample.getInt(sample.position() + FLAGS) & FLAG_ARGS_RECORD) != 0;
    }

    /** Decodes an arguments record (host order, as {@link #decodeExit}). */
    public static ArgsRecord decodeArgs(ByteBuffer sample) {
        requireNativeOrder(sample);
        int base = sample.position();
        int copied = Math.min(sample.getInt(base + ARGS_COPIED), sample.remaining() - ARGS_HEADER);
        byte[] bytes = new byte[Math.max(0, copied)];
        sample.get(base + ARGS_HEADER, bytes);
        return new ArgsRecord(sample.getInt(base + ARGS_PID), sample.getLong(base + ARGS_EXEC_NS), sample.getLong(base + ARGS_TOTAL), bytes);
    }

    /** One exec's arguments as the kernel sent them. */
    public record ArgsRecord(int pid, long execNanos, long totalBytes, byte[] bytes) {
    }

    /** The sample itself when it reads in host order, else a view that does; for samples from elsewhere than a perf ring. */
    public static ByteBuffer nativeOrder(ByteBuffer sample) {
        return sample.order() == ByteOrder.nativeOrder() ? sample : sample.duplicate().order(ByteOrder.nativeOrder());
    }

    private static void requireNativeOrder(ByteBuffer sample) {
        if (sample.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("samples are decoded in host order; see nativeOrder");
        }
    }
}
