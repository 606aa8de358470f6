package io.procmon.bpf.kernel;

import io.procmon.core.WallClock;

/**
 * {@code CLOCK_REALTIME} and {@code CLOCK_BOOTTIME} through clock_gettime(2): the JDK has no
 * boot-time clock, and the kernel programs stamp events with it. Thread-safe.
 */
public final class KernelClocks implements WallClock.Clocks {
    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_BOOTTIME = 7;

    @Override
    public long realtimeNanos() {
        return read(CLOCK_REALTIME);
    }

    @Override
    public long boottimeNanos() {
        return read(CLOCK_BOOTTIME);
    }

    private long read(int clock) {
        long[] ts = new long[2];
        if (LibC.Direct.clock_gettime(clock, ts) != 0) {
            throw new IllegalStateException("cannot read clock " + clock + " (clock_gettime): "
                    + Errno.describe(com.sun.jna.Native.getLastError()));
        }
        return ts[0] * 1_000_000_000L + ts[1];
    }
}
