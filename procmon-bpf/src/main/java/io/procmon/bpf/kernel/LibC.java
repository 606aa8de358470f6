package io.procmon.bpf.kernel;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The few libc calls procmon needs. Package-private. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int open(String path, int flags);

    int close(int fd);

    int mount(String source, String target, String filesystemtype, long mountflags, Pointer data);

    String strerror(int errnum);

    /** {@code syscall(2)} with the arguments of {@code perf_event_open(2)}. */
    int syscall(long number, Pointer attr, int pid, int cpu, int groupFd, long flags);

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    int ioctl(int fd, long request, long arg);

    int eventfd(int initval, int flags);

    long read(int fd, byte[] buf, long count);

    long write(int fd, byte[] buf, long count);

    long readlink(String path, byte[] buf, long size);

    /**
     * The libc calls that run for the monitor's whole life, by JNA direct mapping: the interface
     * mapping's reflection would cost more than the call. poll(2) per wake-up of the perf reader;
     * clock_gettime(2) 21 times a second for the wall clock's offset, the timespec as two longs
     * (64-bit Linux).
     */
    final class Direct {
        static {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        private Direct() {
        }

        static native int poll(Pointer fds, long nfds, int timeout);

        static native int clock_gettime(int clockId, long[] timespec);
    }
}
