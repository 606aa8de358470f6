package io.procmon.bpf.prog;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.procmon.core.CommandNames;
import io.procmon.core.ProcessEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Fuzz target for the perf sample decoder: any bytes a ring hands over (a sample of any length and
 * content) decode to a record or an arguments record, or are refused as too short, and what decodes
 * builds an event whose text is safe to print. The regression corpus
 * ({@code EventLayoutFuzzTestInputs}) runs with the unit tests; {@code bench/fuzz.sh} fuzzes.
 */
class EventLayoutFuzzTest {

    @FuzzTest
    void anySampleDecodesOrIsRefused(byte[] bytes) {
        ByteBuffer sample = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        if (EventLayout.isArgsRecord(sample)) {
            EventLayout.ArgsRecord args = EventLayout.decodeArgs(sample);
            assertThat(args.bytes().length).isBetween(0, bytes.length - EventLayout.ARGS_HEADER);
            return;
        }
        if (EventLayout.isRelease(sample)) {
            EventLayout.ReleaseRecord release = EventLayout.decodeRelease(sample);
            assertThat(release.pid()).isEqualTo(sample.getInt(EventLayout.PID));
            return;
        }
        ExitRecord exit;
        try {
            exit = EventLayout.decodeExit(sample);
        } catch (IllegalArgumentException e) {
            assertThat(bytes.length).as("refused: %s", e.getMessage()).isLessThan(EventLayout.SIZE);
            return;
        }
        assertThat(sample.position()).isZero();
        assertThat(exit.comm().length).isLessThanOrEqualTo(EventLayout.COMM_SIZE);
        if (exit.exe() != null) {
            assertThat(exit.exe().length).isLessThan(EventLayout.EXE_SIZE);
        }
        ProcessEvent event = exit.toEvent(ProcessEvent.CLOCK_OFFSET_UNKNOWN).build();
        assertThat(CommandNames.hasControl(event.command())).isFalse();
        assertThat(CommandNames.encode(event.command())).isEqualTo(exit.comm());
        event.executable().ifPresent(exe -> assertThat(CommandNames.hasControl(exe)).isFalse());
    }
}
