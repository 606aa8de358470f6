package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessEventTest {

    private static ProcessEvent.Builder base() {
        return ProcessEvent.builder().pid(10).ppid(5).command("x").execTimeNanos(1_000).exitTimeNanos(3_500);
    }

    @Test
    void exitCodeDecodesLikeWaitStatus() {
        ProcessEvent exited3 = base().exitCode(3 << 8).build();
        ProcessEvent killed = base().exitCode(9).build();
        ProcessEvent dumped = base().exitCode(11 | 0x80).build();
        ProcessEvent unknown = base().build();

        assertThat(exited3.exitStatus()).hasValue(3);
        assertThat(exited3.signal()).isEmpty();
        assertThat(killed.signal()).hasValue(9);
        assertThat(killed.exitStatus()).isEmpty();
        assertThat(dumped.signal()).hasValue(11);
        assertThat(dumped.coreDumped()).isTrue();
        assertThat(killed.coreDumped()).isFalse();
        assertThat(unknown.exitStatus()).isEmpty();
        assertThat(unknown.signal()).isEmpty();
    }

    @Test
    void durationAndParentAtExit() {
        assertThat(base().build().durationNanos()).isEqualTo(2_500);
        assertThat(base().exitTimeNanos(0).build().durationNanos()).isZero();
        assertThat(base().parentAtExit(1).build().parentAtExit()).hasValue(1);
        assertThat(base().parentAtExit(5).build().parentAtExit()).isEmpty();
        assertThat(base().parentAtExit(0).build().parentAtExit()).isEmpty();
    }

    @Test
    void commandIsCutAtNulAndCopied() {
        byte[] raw = {'s', 'h', 0, 'x', 'x'};
        ProcessEvent e = ProcessEvent.builder().commandBytes(raw).build();
        raw[0] = 'z';

        assertThat(e.command()).isEqualTo("sh");
        assertThat(e.commandBytes()).containsExactly('s', 'h');
    }

    @Test
    void withUserNameKeepsEverythingElse() {
        ProcessEvent e = base().uid(1000).exitCode(256).executable("/bin/x").build();
        ProcessEvent named = e.withUserName("alice");

        assertThat(named.userName()).contains("alice");
        assertThat(named.toBuilder().userName(null).build()).isEqualTo(e);
    }
}
