package io.procmon.bpf.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
        // /proc/uptime is CLOCK_BOOTTIME in seconds, to the hundredth.
        double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        assertThat(first / 1e9).isCloseTo(uptime, within(1.0));
        Thread.sleep(5);
        assertThat(clocks.boottimeNanos() - first).isBetween(5_000_000L, 5_000_000_000L);
    }
}
