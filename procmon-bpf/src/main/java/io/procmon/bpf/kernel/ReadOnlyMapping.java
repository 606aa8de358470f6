package io.procmon.bpf.kernel;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A file mapped read-only and private, where the kernel allows it: the kernel's BTF
 * ({@code /sys/kernel/btf/vmlinux}) since Linux 6.16. Reading that file instead takes one
 * system call per page, 1,300 of them and about 35 ms of CPU here, at every start. The buffer
 * must not be used after {@link #close()}.
 */
public final class ReadOnlyMapping implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int PROT_READ = 1;
    private static final int MAP_PRIVATE = 2;

    private final Pointer address;
    private final long size;
    private boolean closed;

    private ReadOnlyMapping(Pointer address, long size) {
        this.address = address;
        this.size = size;
    }

    /**
     * The first {@code size} bytes of {@code path}, mapped; empty when the file cannot be opened or
     * its file system does not map it (older kernels refuse the BTF's mapping: the caller reads it).
     */
    public static Optional<ReadOnlyMapping> of(String path, long size) {
        if (size <= 0 || size > Integer.MAX_VALUE) {
            return Optional.empty(); // a ByteBuffer holds at most 2 GiB
        }
        int fd = LibC.INSTANCE.open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return Optional.empty();
        }
        try {
            Pointer address = LibC.INSTANCE.mmap(null, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (address == null || Pointer.nativeValue(address) == -1L) {
                return Optional.empty();
            }
            return Optional.of(new ReadOnlyMapping(address, size));
        } finally {
            LibC.INSTANCE.close(fd); // the mapping outlives the descriptor
        }
    }

    /** The mapped bytes, from position 0. */
    public ByteBuffer buffer() {
        if (closed) {
            throw new IllegalStateException("mapping is closed");
        }
        return address.getByteBuffer(0, size);
    }

    /** Unmaps the file. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.munmap(address, size);
        }
    }
}
