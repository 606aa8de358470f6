package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcFilesTest {
    @Test
    void readsSysctlFilesWhole() throws Exception {
        Process cat = new ProcessBuilder("cat", "/proc/sys/kernel/pid_max").start();
        int expected = Integer.parseInt(new String(cat.getInputStream().readAllBytes()).trim());
        cat.waitFor();

        assertThat(ProcFiles.readInt(Path.of("/proc/sys/kernel/pid_max"))).isEqualTo(expected).isGreaterThan(300);
    }
}
