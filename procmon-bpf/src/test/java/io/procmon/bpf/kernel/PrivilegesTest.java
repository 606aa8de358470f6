package io.procmon.bpf.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PrivilegesTest {
    private static final long BPF_AND_PERFMON = (1L << Privileges.CAP_BPF) | (1L << Privileges.CAP_PERFMON);

    @Test
    void aRefusalAtParanoidAboveTwoWithoutSysAdminNamesTheDistributionsRule() {
        assertThat(Privileges.perfEventRefusal(13, OptionalInt.of(3), BPF_AND_PERFMON)).hasValueSatisfying(m -> assertThat(m)
                .isEqualTo("kernel.perf_event_paranoid is 3, at which Debian's and Ubuntu's kernels let only CAP_SYS_ADMIN"
                        + " open perf events: run procmon as root or with CAP_SYS_ADMIN too"));
        assertThat(Privileges.perfEventRefusal(1, OptionalInt.of(4), BPF_AND_PERFMON)).isPresent();
    }

    @Test
    void otherRefusalsAreTheKernelsOwn() {
        assertThat(Privileges.perfEventRefusal(13, OptionalInt.of(2), BPF_AND_PERFMON)).isEmpty();
        assertThat(Privileges.perfEventRefusal(13, OptionalInt.of(3), BPF_AND_PERFMON | (1L << Privileges.CAP_SYS_ADMIN))).isEmpty();
        assertThat(Privileges.perfEventRefusal(12, OptionalInt.of(3), BPF_AND_PERFMON)).isEmpty(); // ENOMEM
        assertThat(Privileges.perfEventRefusal(13, OptionalInt.empty(), BPF_AND_PERFMON)).isEmpty();
    }

    @Test
    void theSysctlIsRead() throws Exception {
        int expected = Integer.parseInt(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/perf_event_paranoid")).trim());
        assertThat(Privileges.perfEventParanoid()).hasValue(expected);
    }
}
