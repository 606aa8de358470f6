package io.procmon.bpf.kernel;

import com.sun.jna.Memory;

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
        try (Memory k = copy(key, keySize); Memory v = copy(value, value.length)) {
            Errno.check(Libbcc.lib().bpf_update_elem(fd(), k, v, flags), "update map " + name);
        }
    }

    /**
     * Reads the value of {@code key} into {@code value} (for per-CPU maps, one 8-byte-aligned slot
     * per possible CPU).
     *
     * @return false when the key is absent
     */
    public boolean lookup(byte[] key, byte[] value) {
        try (Memory k = copy(key, keySize); Memory v = new Memory(value.length)) {
            int rc = Libbcc.lib().bpf_lookup_elem(fd(), k, v);
            if (rc < 0) {
                int errno = Errno.of(rc);
                if (errno == 2) {
                    return false;
                }
                Errno.check(rc, "look up map " + name);
            }
            v.read(0, value, 0, value.length);
            return true;
        }
    }

    /** Removes {@code key}; returns false when it was absent. */
    public boolean delete(byte[] key) {
        try (Memory k = copy(key, keySize)) {
            int rc = Libbcc.lib().bpf_delete_elem(fd(), k);
            if (rc < 0 && Errno.of(rc) == 2) {
                return false;
            }
            Errno.check(rc, "delete from map " + name);
            return true;
        }
    }

    /** Size of one value as the kernel stores it. */
    public int valueSize() {
        return valueSize;
    }

    private static Memory copy(byte[] bytes, int expected) {
        if (bytes.length != expected) {
            throw new IllegalArgumentException("expected " + expected + " bytes, got " + bytes.length);
        }
        Memory m = new Memory(Math.max(1, bytes.length));
        m.write(0, bytes, 0, bytes.length);
        return m;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Libbcc.closeQuietly(fd);
            fd = -1;
        }
    }
}
