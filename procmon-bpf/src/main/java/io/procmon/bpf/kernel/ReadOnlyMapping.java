package io.procmon.bpf.kernel;

import com.sun.jna.Pointer;
import io.procmon.bpf.btf.Btf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Optional;

/**
 * A file of the kernel's mapped read-only and private, where the kernel allows it: its BTF
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
     * The running kernel's BTF, mapped; empty where the kernel does not map it (before Linux 6.16)
     * or it cannot be opened: then the caller reads it.
     */
    public static Optional<ReadOnlyMapping> kernelBtf() {
        try {
            return of(Btf.KERNEL_BTF.toString(), Files.size(Btf.KERNEL_BTF));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The first {@code size} bytes of {@code path}, mapped; empty when the file cannot be opened or
     * its file system does not map it. Only for files nobody can cut shorter while they are mapped,
     * as sysfs's: reading past a file's end through a mapping kills the JVM (SIGBUS).
     */
    static Optional<ReadOnlyMapping> of(String path, long size) {
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
