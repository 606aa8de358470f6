package io.procmon.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Turns kernel boot-time timestamps ({@code CLOCK_BOOTTIME}, which counts suspended time) into
 * wall-clock instants. The offset REALTIME − BOOTTIME is measured as the narrowest of several
 * paired readings (REALTIME, BOOTTIME, REALTIME: the pair read closest together bounds the error
 * best), and is measured again on {@link #remeasure()} so that a step of the wall clock (NTP,
 * an operator's {@code date -s}) is followed. Thread-safe.
 */
public final class WallClock {
    /** The two clocks, in nanoseconds. */
    public interface Clocks {
        long realtimeNanos();

        long boottimeNanos();
    }

    private static final int READINGS = 7;

    private final Clocks clocks;
    private volatile long offsetNanos;

    public WallClock(Clocks clocks) {
        this.clocks = Objects.requireNonNull(clocks, "clocks");
        remeasure();
    }

    /** Measures the offset again; returns it. */
    public synchronized long remeasure() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < READINGS; i++) {
            long before = clocks.realtimeNanos();
            long boot = clocks.boottimeNanos();
            long after = clocks.realtimeNanos();
            long width = after - before;
            if (width >= 0 && width < best) {
                best = width;
                offset = before + width / 2 - boot;
            }
        }
        offsetNanos = offset;
        return offset;
    }

    /** REALTIME − BOOTTIME, in nanoseconds, as last measured. */
    public long offsetNanos() {
        return offsetNanos;
    }

    /** The wall-clock instant of a boot-time timestamp, with the offset last measured. */
    public Instant toInstant(long boottimeNanos) {
        return ofEpochNanos(boottimeNanos + offsetNanos);
    }

    /** An instant from nanoseconds since the epoch. */
    public static Instant ofEpochNanos(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }
}
