package io.procmon.bpf.prog;

import io.procmon.bpf.kernel.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.ToIntFunction;

/**
 * The one table of the kernel maps procmon makes: each map's one name (what the program builder
 * refers to it by, and what {@code bpftool map list} shows with the {@code procmon_} prefix), its
 * type, its key layout and its value size. The program builder, the loader and the reader all take
 * them from here; the key layouts below are the only place a key's bytes are arranged, for the
 * programs' stack and for the Java side alike.
 */
public enum KernelMap {
    /** tgid → start record ({@link EventLayout#startSize}), filled at exec, deleted at exit. */
    START("start", BpfMap.Type.HASH, U32Key.SIZE, o -> EventLayout.startSize(o.executablePaths(), o.who())),
    /** CPU → perf ring: one per CPU. */
    EVENTS("events", BpfMap.Type.PERF_EVENT_ARRAY, U32Key.SIZE, o -> 4),
    /** {@link Counter} ordinal → u64 per CPU. */
    COUNTERS("counts", BpfMap.Type.PERCPU_ARRAY, U32Key.SIZE, o -> 8),
    /**
     * {@link TaskKey} → u32, used only where the exit tracepoint has no {@code group_dead}: threads
     * exiting together may all see {@code signal->live} at zero. A process with a start record is
     * reported by the one thread whose delete of that record succeeds; one without (older than the
     * monitor) by the first to claim it here. The reader deletes the claim once it has the event.
     * Not an LRU map: their locks are not for hot paths.
     */
    ENDED("ended", BpfMap.Type.HASH, TaskKey.SIZE, o -> 4),
    /** {@link CgroupKey} → path ({@link #CGROUP_PATH_SIZE} bytes), filled on cgroup_mkdir; LRU. */
    CGROUP_PATHS("cgpaths", BpfMap.Type.LRU_HASH, CgroupKey.SIZE, o -> KernelMap.CGROUP_PATH_SIZE),
    /** CPU → the buffer an arguments record is built in ({@link EventLayout#ARGS_HEADER} + the maximum). */
    ARGS_BUFFER("args", BpfMap.Type.ARRAY, U32Key.SIZE, o -> EventLayout.ARGS_HEADER + o.argsMax()),
    /**
     * One u64 at key 0: non-zero while the reader sleeps. The exit program takes it (an atomic
     * exchange for zero) after each record it sends; the one that finds it set rings {@link #BELL}.
     */
    ASLEEP("asleep", BpfMap.Type.ARRAY, U32Key.SIZE, o -> 8),
    /** CPU → a one-page perf ring that wakes the reader at every sample: rung only while it sleeps. */
    BELL("bell", BpfMap.Type.PERF_EVENT_ARRAY, U32Key.SIZE, o -> 4);

    /** Bytes of a cgroup path kept by {@link #CGROUP_PATHS}, NUL included. */
    public static final int CGROUP_PATH_SIZE = 256;

    /** Kernel object names hold 15 bytes: {@code procmon_} leaves 7 for the map's own. */
    private static final int NAME_MAX = 7;

    private final String symbol;
    private final BpfMap.Type type;
    private final int keySize;
    private final ToIntFunction<ProgramOptions> valueSize;

    KernelMap(String symbol, BpfMap.Type type, int keySize, ToIntFunction<ProgramOptions> valueSize) {
        if (symbol.length() > NAME_MAX) {
            throw new IllegalArgumentException("map name too long for the kernel: " + symbol);
        }
        this.symbol = symbol;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
    }

    /** The name the program builder binds; {@code procmon_} and this name in the kernel. */
    public String symbol() {
        return symbol;
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize(ProgramOptions options) {
        return valueSize.applyAsInt(options);
    }

    /**
     * Creates this map for programs built with {@code options}.
     *
     * @throws io.procmon.bpf.BpfException when the kernel refuses it
     */
    public BpfMap create(ProgramOptions options, int entries) {
        return BpfMap.create(type, "procmon_" + symbol(), keySize, valueSize(options), entries);
    }

    /** A u32 key: a tgid, a CPU or a counter's ordinal. */
    public static final class U32Key {
        public static final int SIZE = 4;

        private U32Key() {
        }

        /** Writes {@code value} into {@code key} ({@link #SIZE} bytes, host order). */
        public static byte[] pack(byte[] key, int value) {
            ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).putInt(0, value);
            return key;
        }
    }

    /** (tgid u32, zero u32, the leader's start time u64): a process, across pid reuse. */
    public static final class TaskKey {
        public static final int TGID = 0;
        public static final int START_NS = 8;
        public static final int SIZE = 16;

        private TaskKey() {
        }

        public static byte[] pack(byte[] key, int tgid, long startNanos) {
            return packU32ThenU64(key, tgid, startNanos);
        }
    }

    /** (hierarchy id u32, zero u32, cgroup id u64): a cgroup in one hierarchy. */
    public static final class CgroupKey {
        public static final int HIERARCHY = 0;
        public static final int ID = 8;
        public static final int SIZE = 16;

        private CgroupKey() {
        }

        public static byte[] pack(byte[] key, int hierarchy, long id) {
            return packU32ThenU64(key, hierarchy, id);
        }
    }

    /** The layout both 16-byte keys share: a u32 at 0, four zero bytes of padding, a u64 at 8. */
    private static byte[] packU32ThenU64(byte[] key, int first, long second) {
        ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).putInt(0, first).putInt(4, 0).putLong(8, second);
        return key;
    }
}
