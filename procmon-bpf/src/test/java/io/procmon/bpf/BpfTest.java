package io.procmon.bpf;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that loads real eBPF programs into the running kernel. It runs as root on a kernel
 * with BTF; elsewhere it is skipped with a loud reason, unless {@code PROCMON_REQUIRE_BPF=1}
 * (set by CI), where it runs and fails with the real error.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("bpf")
@ExtendWith(BpfAvailable.class)
public @interface BpfTest {
}
