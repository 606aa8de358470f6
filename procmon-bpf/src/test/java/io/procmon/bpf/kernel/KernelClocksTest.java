package io.procmon.bpf.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KernelClocksTest {
    private final KernelClocks clocks = new KernelClocks();

    @Test
    void realtimeIsTheWallClock() {
        long before = System.currentTimeMillis();
        long realtime = clocks.realtimeNanos();
        long after = System.currentTimeMillis();
        assertThat(realtime / 1_000_000).isBetween(before - 1, after + 1);
    }

    @Test
    void boottimeIsTheTimeSinceBootAndMoves() throws Exception {
        long first = clocks.boottimeNanos();
        // /proc/uptime is CLOCK_BOOTTIME in seconds, to the hundredth: read after, it is within 10 ms
        // below (truncation) of that instant or later.
        double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        assertThat(uptime - first / 1e9).isBetween(-0.01, 1.0);
        // It moves as much as the JVM's monotonic clock does (both count suspend-free time on a running host).
        long jvmBefore = System.nanoTime();
        long before = clocks.boottimeNanos();
        Thread.sleep(5);
        long after = clocks.boottimeNanos();
        long jvmAfter = System.nanoTime();
        assertThat(after - before).isBetween(5_000_000L, jvmAfter - jvmBefore);
    }
}
