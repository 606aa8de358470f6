package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EventFiltersTest {
    private static ProcessEvent event(String command, int uid, long durationNanos, int exitCode) {
        return ProcessEvent.builder().pid(1).uid(uid).command(command).execTimeNanos(0).exitTimeNanos(durationNanos)
                .exitCode(exitCode).build();
    }

    @Test
    void commandGlobMatchesTheWholeName() {
        var python = EventFilters.commandGlob("python*");
        assertThat(python.test(event("python3", 0, 0, 0))).isTrue();
        assertThat(python.test(event("ipython", 0, 0, 0))).isFalse();
        assertThat(EventFilters.commandGlob("s?").test(event("sh", 0, 0, 0))).isTrue();
        assertThat(EventFilters.commandGlob("s?").test(event("ssh", 0, 0, 0))).isFalse();
        assertThat(EventFilters.commandGlob("kworker*").test(event("kworker/u4:2", 0, 0, 0))).isFalse();
    }

    @Test
    void commandRegexFindsAMatch() {
        var digits = EventFilters.commandRegex(Pattern.compile("\\d$"));
        assertThat(digits.test(event("python3", 0, 0, 0))).isTrue();
        assertThat(digits.test(event("bash", 0, 0, 0))).isFalse();
    }

    @Test
    void uidDurationAndFailure() {
        assertThat(EventFilters.uid(1000).test(event("x", 1000, 0, 0))).isTrue();
        assertThat(EventFilters.uid(1000).test(event("x", 0, 0, 0))).isFalse();
        assertThat(EventFilters.minDuration(Duration.ofMillis(5)).test(event("x", 0, 5_000_000, 0))).isTrue();
        assertThat(EventFilters.minDuration(Duration.ofMillis(5)).test(event("x", 0, 4_999_999, 0))).isFalse();
        assertThat(EventFilters.failed().test(event("x", 0, 0, 1 << 8))).isTrue();
        assertThat(EventFilters.failed().test(event("x", 0, 0, 9))).isTrue();
        assertThat(EventFilters.failed().test(event("x", 0, 0, 0))).isFalse();
        assertThat(EventFilters.failed().test(event("x", 0, 0, ProcessEvent.EXIT_CODE_UNKNOWN))).isFalse();
    }

    @Test
    void containerAndCgroupPrefixes() {
        String id = "ab12".repeat(16);
        ProcessEvent inDocker = ProcessEvent.builder().command("x").cgroup(7, "/system.slice/docker-" + id + ".scope").build();
        ProcessEvent onHost = ProcessEvent.builder().command("x").cgroup(8, "/system.slice/sshd.service").build();
        ProcessEvent unknown = ProcessEvent.builder().command("x").build();
        assertThat(EventFilters.containerIdPrefix("ab12ab").test(inDocker)).isTrue();
        assertThat(EventFilters.containerIdPrefix("ab13").test(inDocker)).isFalse();
        assertThat(EventFilters.containerIdPrefix("ab12").test(onHost)).isFalse();
        assertThat(EventFilters.containerIdPrefix("").test(unknown)).isFalse();
        assertThat(EventFilters.cgroupPrefix("/system.slice").test(onHost)).isTrue();
        assertThat(EventFilters.cgroupPrefix("/system.slice/").test(inDocker)).isTrue();
        assertThat(EventFilters.cgroupPrefix("/system.slice/sshd.service").test(onHost)).isTrue();
        assertThat(EventFilters.cgroupPrefix("/system.sl").test(onHost)).isFalse();
        assertThat(EventFilters.cgroupPrefix("/").test(onHost)).isTrue();
        assertThat(EventFilters.cgroupPrefix("/").test(unknown)).isFalse();
    }
}
