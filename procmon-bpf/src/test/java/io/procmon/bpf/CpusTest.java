package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpusTest {
    @Test
    void parsesSysfsCpuLists() {
        assertThat(Cpus.parse("0\n")).containsExactly(0);
        assertThat(Cpus.parse("0-3")).containsExactly(0, 1, 2, 3);
        assertThat(Cpus.parse("0-1,4,6-7\n")).containsExactly(0, 1, 4, 6, 7);
    }
}
