/**
 * procmon's eBPF engine: {@link io.procmon.bpf.BpfEventSource} and its options. The assembler, BTF
 * reader, programs and kernel handles are the engine's own and are not exported.
 */
module io.procmon.bpf {
    requires transitive io.procmon.core;
    requires com.sun.jna;
    requires org.slf4j;

    exports io.procmon.bpf;

    // JNA proxies libbcc's and libc's raw interfaces and registers the direct-mapped natives.
    opens io.procmon.bpf.kernel to com.sun.jna;
}
