package io.procmon.bpf.kernel;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.procmon.core.WallClock;

/**
 * {@code CLOCK_REALTIME} and {@code CLOCK_BOOTTIME} through clock_gettime(2): the JDK has no
 * boot-time clock, and the kernel programs stamp events with it. Thread-safe.
 */
public final class KernelClocks implements WallClock.Clocks {
    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_BOOTTIME = 7;

    /**
     * clock_gettime(2) by JNA direct mapping, the timespec as two longs (64-bit Linux): the wall
     * clock's offset is measured again every second, 21 calls each time, for the monitor's whole life.
     */
    private static final class Direct {
        static {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        static native int clock_gettime(int clockId, long[] timespec);
    }

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
        if (Direct.clock_gettime(clock, ts) != 0) {
            throw new IllegalStateException("clock_gettime(" + clock + ") failed");
        }
        return ts[0] * 1_000_000_000L + ts[1];
    }
}
