package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.prog.KernelOffsets;
import org.junit.jupiter.api.Test;

/**
 * Every process-semantics test of {@link BpfEventSourceIT} again, through the path of kernels whose
 * exit tracepoint has no {@code group_dead} (Debian 12's 6.1): the group is dead when
 * {@code signal->live} is zero, and threads that die together claim the process once.
 */
class SignalLiveFallbackIT extends BpfEventSourceIT {
    @Override
    BpfEventSource newSource(BpfOptions options) {
        return new BpfEventSource(options, KernelOffsets::withoutGroupDead);
    }

    @Test
    void theFallbackIsTheOneUnderTest() {
        assertThat(newSource(BpfOptions.defaults()).adjustedOffsets(testOffsets()).exitGroupDead()).isEmpty();
    }

    private static KernelOffsets testOffsets() {
        return new KernelOffsets(1, 2, 3, 4, java.util.OptionalInt.of(5), 6, 7, java.util.OptionalInt.empty(), 8, 9, 10, 11,
                new io.procmon.bpf.prog.IdentityOffsets(12, 13, java.util.OptionalInt.of(14), 15, 16));
    }
}
