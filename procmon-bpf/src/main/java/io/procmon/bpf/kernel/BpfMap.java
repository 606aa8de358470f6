package io.procmon.bpf.kernel;

/** A BPF map owned by this process; {@link #close()} releases its fd. */
public final class BpfMap implements AutoCloseable {
    /** Map types procmon uses, by their {@code enum bpf_map_type} numbers. */
    public enum Type {
        HASH(1), ARRAY(2), PERF_EVENT_ARRAY(4), PERCPU_ARRAY(6), LRU_HASH(9);

        final int code;

        Type(int code) {
            this.code = code;
        }
    }

    /** {@code BPF_ANY}: create or update. */
    public static final long ANY = 0;

    private final String name;
    private final int keySize;
    private final int valueSize;
    private int fd;

    private BpfMap(String name, int fd, int keySize, int valueSize) {
        this.name = name;
        this.fd = fd;
        this.keySize = keySize;
        this.valueSize = valueSize;
    }

    /**
     * Creates a map.
     *
     * @throws io.procmon.bpf.BpfException "create map NAME: ENAME (message)"
     */
    public static BpfMap create(Type type, String name, int keySize, int valueSize, int maxEntries) {
        int fd = Errno.check(Libbcc.lib().bcc_create_map(type.code, name, keySize, valueSize, maxEntries, 0),
                "create map " + name + " (" + type + ", " + maxEntries + " entries)");
        return new BpfMap(name, fd, keySize, valueSize);
    }

    public int fd() {
        if (fd < 0) {
            throw new IllegalStateException("map " + name + " is closed");
        }
        return fd;
    }

    public String name() {
        return name;
    }

    /** Sets {@code key} to {@code value}. */
    public void update(byte[] key, byte[] value, long flags) {
        Errno.check(BccNative.Elements.bpf_update_elem(fd(), checked(key), checkedValue(value), flags), "update map " + name);
    }

    /**
     * Reads the value of {@code key} into {@code value} (for per-CPU maps, one 8-byte-aligned slot
     * per possible CPU).
     *
     * @return false when the key is absent
     */
    public boolean lookup(byte[] key, byte[] value) {
        int rc = BccNative.Elements.bpf_lookup_elem(fd(), checked(key), checkedValue(value));
        if (rc < 0) {
            if (Errno.of(rc) == 2) {
                return false;
            }
            Errno.check(rc, "look up map " + name);
        }
        return true;
    }

    /** Removes {@code key}; returns false when it was absent. */
    public boolean delete(byte[] key) {
        int rc = BccNative.Elements.bpf_delete_elem(fd(), checked(key));
        if (rc < 0 && Errno.of(rc) == 2) {
            return false;
        }
        Errno.check(rc, "delete from map " + name);
        return true;
    }

    /** Entries read per system call by {@link #countEntries()}: buckets never hold that many. */
    private static final int COUNT_CHUNK = 256;
    private byte[] countKeys;
    private byte[] countValues;

    /**
     * How many entries a hash map holds now, read in batches of {@value #COUNT_CHUNK}
     * ({@code BPF_MAP_LOOKUP_BATCH}, whose cursor is a bucket: entries added or removed meanwhile
     * are counted or not, never twice). Costs one system call per chunk; for gauges, not hot paths.
     */
    public synchronized long countEntries() {
        if (countKeys == null) {
            countKeys = new byte[COUNT_CHUNK * keySize];
            countValues = new byte[COUNT_CHUNK * valueSize];
        }
        int[] token = new int[1];
        int[] count = new int[1];
        long total = 0;
        for (boolean first = true; ; first = false) {
            count[0] = COUNT_CHUNK;
            int rc = BccNative.Elements.bpf_lookup_batch(fd(), first ? null : token, token, countKeys, countValues, count);
            if (rc < 0 && Errno.of(rc) == 2) { // ENOENT: the last batch, possibly not empty
                return total + Math.max(0, count[0]);
            }
            Errno.check(rc, "count the entries of map " + name);
            total += count[0];
        }
    }

    /** Size of one value as the kernel stores it. */
    public int valueSize() {
        return valueSize;
    }

    /** At least one value: the kernel writes a whole one (per possible CPU for per-CPU maps, which the caller sizes). */
    private byte[] checkedValue(byte[] value) {
        if (value.length < valueSize) {
            throw new IllegalArgumentException("expected at least " + valueSize + " bytes for a value, got " + value.length);
        }
        return value;
    }

    private byte[] checked(byte[] key) {
        if (key.length != keySize) {
            throw new IllegalArgumentException("expected " + keySize + " bytes for a key, got " + key.length);
        }
        return key;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Libbcc.closeQuietly(fd);
            fd = -1;
        }
    }
}
