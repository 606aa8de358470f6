package io.procmon.bpf.kernel;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The raw libbcc low-level API, with the C names and signatures of {@code /usr/include/bcc/libbpf.h}
 * so it greps against the header. The perf rings are read by {@link PerfBuffer} itself. Package-private: use the handles.
 *
 * <p>Loaded by its versioned soname, so only the runtime package ({@code libbpfcc}) is needed.
 */
interface BccNative extends Library {
    String SONAME = "libbcc_bpf.so.0";

    /** Loaded on first use; an {@link UnsatisfiedLinkError} means libbcc is not installed. */
    final class Holder {
        static final BccNative INSTANCE = Native.load(SONAME, BccNative.class);

        private Holder() {
        }
    }

    int bcc_create_map(int map_type, String name, int key_size, int value_size, int max_entries, int map_flags);

    int bcc_prog_load(int prog_type, String name, Pointer insns, int prog_len, String license, int kern_version,
            int log_level, Pointer log_buf, int log_buf_size);

    int bpf_attach_tracepoint(int progfd, String tp_category, String tp_name);

    int bpf_close_perf_event_fd(int fd);

    /**
     * The map element calls, by JNA direct mapping with Java arrays for the pointers: they run per
     * process (claims, cgroup names) or every 200 ms (counters), where the interface mapping's
     * reflection and a native {@code Memory} per argument cost more than the system call.
     */
    final class Elements {
        static {
            Native.register(Elements.class, SONAME);
        }

        private Elements() {
        }

        static native int bpf_update_elem(int fd, byte[] key, byte[] value, long flags);

        static native int bpf_lookup_elem(int fd, byte[] key, byte[] value);

        static native int bpf_delete_elem(int fd, byte[] key);

        /** {@code in_batch} null for the first call; a hash map's batch token is a u32 (a bucket index). */
        static native int bpf_lookup_batch(int fd, int[] in_batch, int[] out_batch, byte[] keys, byte[] values, int[] count);
    }
}
