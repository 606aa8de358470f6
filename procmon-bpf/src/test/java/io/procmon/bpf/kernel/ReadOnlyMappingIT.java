package io.procmon.bpf.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmon.bpf.BpfTest;
import io.procmon.bpf.btf.Btf;
import io.procmon.bpf.testing.KernelRelease;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The kernel's BTF mapped where the kernel maps it (Linux 6.16 on), refused cleanly where it does not. */
@BpfTest
class ReadOnlyMappingIT {

    private static boolean kernelMapsItsBtf() {
        return KernelRelease.atLeast(6, 16);
    }

    @Test
    void theKernelsBtfIsMappedFrom616AndThenHoldsTheBytesAReadGives() throws Exception {
        byte[] read = Files.readAllBytes(Btf.KERNEL_BTF);
        Optional<ReadOnlyMapping> mapping = ReadOnlyMapping.kernelBtf();
        assertThat(mapping.isPresent()).as("mapped on kernel %s", System.getProperty("os.version")).isEqualTo(kernelMapsItsBtf());
        if (mapping.isEmpty()) {
            return; // refused: the monitor reads the file, as BtfTest does
        }
        try (ReadOnlyMapping m = mapping.get()) {
            assertThat(m.buffer()).isEqualTo(ByteBuffer.wrap(read));
            assertThat(Btf.of(m.buffer()).member("task_struct", "tgid")).isEqualTo(Btf.parse(read).member("task_struct", "tgid"));
            m.close();
            assertThatThrownBy(m::buffer).isInstanceOf(IllegalStateException.class);
        } // a second close: idempotent
    }

    @Test
    void aFileThatCannotBeMappedOrOpenedIsEmptyNotAnError() { // the BTF of a kernel before 6.16: the test above
        assertThat(ReadOnlyMapping.of("/proc/self/status", 4096)).as("procfs maps no file").isEmpty();
        assertThat(ReadOnlyMapping.of("/nonexistent/procmon", 4096)).isEmpty();
    }
}
