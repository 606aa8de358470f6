package io.procmon.bpf.kernel;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * The raw libbcc low-level API, with the C names and signatures of {@code /usr/include/bcc/libbpf.h}
 * and {@code perf_reader.h} so it greps against the header. Package-private: use the handles.
 *
 * <p>Loaded by its versioned soname, so only the runtime package ({@code libbpfcc}) is needed.
 */
interface LibBcc extends Library {
    String SONAME = "libbcc_bpf.so.0";

    /** Loaded on first use; an {@link UnsatisfiedLinkError} means libbcc is not installed. */
    final class Holder {
        static final LibBcc INSTANCE = Native.load(SONAME, LibBcc.class);

        private Holder() {
        }
    }

    int bcc_create_map(int map_type, String name, int key_size, int value_size, int max_entries, int map_flags);

    int bcc_prog_load(int prog_type, String name, Pointer insns, int prog_len, String license, int kern_version,
            int log_level, Pointer log_buf, int log_buf_size);

    int bpf_update_elem(int fd, Pointer key, Pointer value, long flags);

    int bpf_lookup_elem(int fd, Pointer key, Pointer value);

    int bpf_delete_elem(int fd, Pointer key);

    int bpf_attach_tracepoint(int progfd, String tp_category, String tp_name);

    int bpf_close_perf_event_fd(int fd);

    Pointer bpf_open_perf_buffer_opts(perf_reader_raw_cb raw_cb, perf_reader_lost_cb lost_cb, Pointer cb_cookie,
            int page_cnt, bcc_perf_buffer_opts opts);

    int perf_reader_poll(int num_readers, Pointer[] readers, int timeout);

    int perf_reader_consume(int num_readers, Pointer[] readers);

    int perf_reader_fd(Pointer reader);

    void perf_reader_free(Pointer reader);

    /** {@code typedef void (*perf_reader_raw_cb)(void *cb_cookie, void *raw, int raw_size);} */
    interface perf_reader_raw_cb extends Callback {
        void invoke(Pointer cb_cookie, Pointer raw, int raw_size);
    }

    /** {@code typedef void (*perf_reader_lost_cb)(void *cb_cookie, uint64_t lost);} */
    interface perf_reader_lost_cb extends Callback {
        void invoke(Pointer cb_cookie, long lost);
    }

    /** {@code struct bcc_perf_buffer_opts { int pid; int cpu; int wakeup_events; };} */
    @Structure.FieldOrder({"pid", "cpu", "wakeup_events"})
    class bcc_perf_buffer_opts extends Structure {
        public int pid;
        public int cpu;
        public int wakeup_events;
    }
}
