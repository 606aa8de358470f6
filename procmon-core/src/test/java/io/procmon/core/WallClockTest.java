package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class WallClockTest {
    /** Clocks that answer from scripted readings: realtime, boottime, realtime, ... */
    static final class ScriptedClocks implements WallClock.Clocks {
        final Deque<Long> realtime = new ArrayDeque<>();
        final Deque<Long> boottime = new ArrayDeque<>();

        @Override
        public long realtimeNanos() {
            return realtime.isEmpty() ? 0 : realtime.pop();
        }

        @Override
        public long boottimeNanos() {
            return boottime.isEmpty() ? 0 : boottime.pop();
        }

        void reading(long before, long boot, long after) {
            realtime.add(before);
            realtime.add(after);
            boottime.add(boot);
        }
    }

    @Test
    void theNarrowestPairOfReadingsGivesTheOffset() {
        ScriptedClocks clocks = new ScriptedClocks();
        long offset = 1_700_000_000_000_000_000L;
        clocks.reading(offset + 1_000 + 0, 1_000 + 900, offset + 1_000 + 4_000); // wide: preempted
        clocks.reading(offset + 5_000, 5_010, offset + 5_020);                  // narrowest: 20 ns
        for (int i = 0; i < 5; i++) {
            clocks.reading(offset + 10_000, 10_500, offset + 11_000);           // 1 µs wide, 0 off
        }
        WallClock clock = new WallClock(clocks);
        assertThat(clock.offsetNanos()).isEqualTo(offset);
    }

    @Test
    void aStepOfTheWallClockIsFollowedOnTheNextMeasurement() {
        Steppable clocks = new Steppable();
        WallClock clock = new WallClock(clocks);
        long boot = 42_000_000_000L;
        Instant before = clock.toInstant(boot);
        assertThat(before).isEqualTo(Instant.parse("2026-11-26T13:00:42Z"));
        clocks.step = 3_600_000_000_000L; // NTP (or date -s) moves the wall clock an hour on
        assertThat(clock.toInstant(boot)).as("until measured again").isEqualTo(before);
        clock.remeasure();
        assertThat(clock.toInstant(boot)).isEqualTo(Instant.parse("2026-11-26T14:00:42Z"));
    }

    static final class Steppable implements WallClock.Clocks {
        long boot = 1_000_000_000L;
        long step;
        final long epochAtBoot = Instant.parse("2026-11-26T13:00:00Z").getEpochSecond() * 1_000_000_000L;

        @Override
        public long realtimeNanos() {
            return epochAtBoot + boot + step;
        }

        @Override
        public long boottimeNanos() {
            return boot;
        }
    }

    @Test
    void eventsWithAnOffsetHaveWallClockTimesInIsoWithMicroseconds() {
        long offset = Instant.parse("2026-11-26T13:04:00Z").getEpochSecond() * 1_000_000_000L;
        ProcessEvent e = ProcessEvent.builder().command("x").execTimeNanos(5_123_456_789L).exitTimeNanos(6_000_000_001L)
                .clockOffsetNanos(offset).build();
        assertThat(e.startTime().map(Formats::isoMicros)).hasValue("2026-11-26T13:04:05.123456Z");
        assertThat(e.endTime().map(Formats::isoMicros)).hasValue("2026-11-26T13:04:06.000000Z");
        assertThat(ProcessEvent.builder().command("x").build().startTime()).isEmpty();
    }

    @Test
    void theLocalHostHasTheKernelsNameAndTheMachineId() throws Exception {
        Host host = Host.local();
        String expected = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/sys/kernel/hostname"))).strip();
        assertThat(host.name()).isEqualTo(expected);
        // systemd's machine id, or D-Bus's where a host has no /etc/machine-id (a container, a chroot)
        String etc = firstLineOrEmpty(java.nio.file.Path.of("/etc/machine-id"));
        assertThat(host.id()).isEqualTo(etc.isEmpty() ? firstLineOrEmpty(java.nio.file.Path.of("/var/lib/dbus/machine-id")) : etc);
        assertThat(host.withName("edge-7")).isEqualTo(new Host("edge-7", host.id()));
    }

    private static String firstLineOrEmpty(java.nio.file.Path file) throws java.io.IOException {
        return java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file).strip() : "";
    }
}
