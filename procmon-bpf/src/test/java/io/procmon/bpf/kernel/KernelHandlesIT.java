package io.procmon.bpf.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmon.bpf.BpfException;
import io.procmon.bpf.BpfTest;
import io.procmon.bpf.asm.Assembler;
import io.procmon.bpf.asm.Reg;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The libbcc handles against the real kernel: errors a user can act on. */
@BpfTest
class KernelHandlesIT {

    @Test
    void aRejectedProgramCarriesTheVerifierLog() {
        // Reads R5, which holds nothing at program start.
        byte[] bad = new Assembler().mov64(Reg.R0, Reg.R5).exit().assemble(Map.of());

        assertThatThrownBy(() -> BpfProgram.loadTracepoint("procmon_bad", bad, "GPL"))
                .isInstanceOf(BpfException.class)
                .satisfies(e -> assertThat(((BpfException) e).reason()).isEqualTo(BpfException.Reason.VERIFIER_REJECTED))
                .hasMessageStartingWith("cannot load program procmon_bad: EACCES")
                .hasMessageContaining("verifier log:")
                .hasMessageContaining("R5 !read_ok");
    }

    @Test
    void aValidProgramLoadsAndAMissingTracepointIsNamed() {
        byte[] ok = new Assembler().mov64(Reg.R0, 0).exit().assemble(Map.of());
        try (BpfProgram program = BpfProgram.loadTracepoint("procmon_ok", ok, "GPL")) {
            assertThat(program.fd()).isPositive();
            assertThatThrownBy(() -> TracepointLink.attach(program, "sched", "no_such_tracepoint"))
                    .isInstanceOf(BpfException.class)
                    .hasMessageStartingWith("cannot attach tracepoint sched/no_such_tracepoint: ");
        }
    }

    @Test
    void mapsStoreAndFindValues() {
        try (BpfMap map = BpfMap.create(BpfMap.Type.HASH, "procmon_test", 4, 8, 16)) {
            byte[] key = {1, 0, 0, 0};
            byte[] value = {1, 2, 3, 4, 5, 6, 7, 8};
            byte[] read = new byte[8];
            assertThat(map.lookup(key, read)).isFalse();
            map.update(key, value, BpfMap.ANY);
            assertThat(map.lookup(key, read)).isTrue();
            assertThat(read).isEqualTo(value);
            assertThat(map.delete(key)).isTrue();
            assertThat(map.delete(key)).isFalse();
            assertThat(map.lookup(key, read)).isFalse();
            assertThatThrownBy(() -> map.lookup(new byte[3], read)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected 4 bytes for a key, got 3");
            assertThatThrownBy(() -> map.lookup(key, new byte[7])).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> BpfMap.create(BpfMap.Type.HASH, "procmon_bad", 0, 8, 16))
                .isInstanceOf(BpfException.class).hasMessageStartingWith("cannot create map procmon_bad").hasMessageContaining("EINVAL");
    }

    @Test
    void aHashMapsEntriesAreCountedExactlyAcrossBatches() {
        try (BpfMap map = BpfMap.create(BpfMap.Type.HASH, "procmon_count", 4, 24, 8192)) {
            assertThat(map.countEntries()).isZero();
            byte[] value = new byte[24];
            for (int i = 0; i < 5_000; i++) {
                map.update(new byte[] {(byte) i, (byte) (i >> 8), 0, 0}, value, BpfMap.ANY);
            }
            assertThat(map.countEntries()).isEqualTo(5_000);
            for (int i = 0; i < 1_234; i++) {
                map.delete(new byte[] {(byte) i, (byte) (i >> 8), 0, 0});
            }
            assertThat(map.countEntries()).isEqualTo(5_000 - 1_234);
            map.update(new byte[] {1, 1, 1, 1}, value, BpfMap.ANY);
            assertThat(map.countEntries()).isEqualTo(5_000 - 1_234 + 1);
        }
    }
}
