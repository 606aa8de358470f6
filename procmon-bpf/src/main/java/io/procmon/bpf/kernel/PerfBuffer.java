package io.procmon.bpf.kernel;

import com.sun.jna.Pointer;
import io.procmon.bpf.BpfException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One perf ring buffer per CPU, read together, and registered in a {@code PERF_EVENT_ARRAY} map so
 * that {@code bpf_perf_event_output(..., BPF_F_CURRENT_CPU, ...)} lands in the ring of the CPU that
 * produced the sample. Not thread-safe: poll, consume and close from one thread at a time.
 */
public final class PerfBuffer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PerfBuffer.class);

    /** Receives samples. Must not throw; the data is valid only during the call. */
    public interface SampleHandler {
        void onSample(int cpu, ByteBuffer data);
    }

    /** Receives the kernel's count of samples it could not write into a CPU's ring. Must not throw. */
    public interface LostHandler {
        void onLost(int cpu, long count);
    }

    private final Pointer[] readers;
    // Strong references: the native side keeps only raw function pointers.
    private final LibBcc.perf_reader_raw_cb rawCallback;
    private final LibBcc.perf_reader_lost_cb lostCallback;
    private boolean closed;

    private PerfBuffer(Pointer[] readers, LibBcc.perf_reader_raw_cb raw, LibBcc.perf_reader_lost_cb lost) {
        this.readers = readers;
        this.rawCallback = raw;
        this.lostCallback = lost;
    }

    /**
     * Opens a ring of {@code pagesPerCpu} pages on each of {@code cpus} and stores its fd in
     * {@code perfMap} at the CPU's index.
     *
     * @param wakeupEvents wake the reader every this many samples (1 = every sample); the rest are
     *     picked up by {@link #consume()}
     */
    public static PerfBuffer open(BpfMap perfMap, List<Integer> cpus, int pagesPerCpu, int wakeupEvents,
            SampleHandler samples, LostHandler losses) {
        if (Integer.bitCount(pagesPerCpu) != 1) {
            throw new IllegalArgumentException("pages per CPU must be a power of two: " + pagesPerCpu);
        }
        LibBcc.perf_reader_raw_cb raw = (cookie, data, size) -> {
            try {
                samples.onSample((int) Pointer.nativeValue(cookie), data.getByteBuffer(0, size).order(ByteOrder.nativeOrder()));
            } catch (RuntimeException | Error e) {
                LOG.error("perf sample handler failed", e); // never let an exception unwind through C
            }
        };
        LibBcc.perf_reader_lost_cb lost = (cookie, count) -> {
            try {
                losses.onLost((int) Pointer.nativeValue(cookie), count);
            } catch (RuntimeException | Error e) {
                LOG.error("perf lost handler failed", e);
            }
        };
        List<Pointer> opened = new ArrayList<>();
        try {
            for (int cpu : cpus) {
                LibBcc.bcc_perf_buffer_opts opts = new LibBcc.bcc_perf_buffer_opts();
                opts.pid = -1;
                opts.cpu = cpu;
                opts.wakeup_events = wakeupEvents;
                // The CPU is the cookie: the lost callback is not told which CPU lost samples.
                Pointer reader = Libbcc.lib().bpf_open_perf_buffer_opts(raw, lost, new Pointer(cpu), pagesPerCpu, opts);
                if (reader == null) {
                    throw new BpfException(BpfException.Reason.KERNEL, "open perf buffer cpu " + cpu + " ("
                            + pagesPerCpu + " pages): " + Errno.describe(Errno.of(-1)));
                }
                opened.add(reader);
                int fd = Libbcc.lib().perf_reader_fd(reader);
                byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(cpu).array();
                byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(fd).array();
                perfMap.update(key, value, BpfMap.ANY);
            }
        } catch (RuntimeException e) {
            opened.forEach(r -> Libbcc.lib().perf_reader_free(r));
            throw e;
        }
        return new PerfBuffer(opened.toArray(new Pointer[0]), raw, lost);
    }

    /** Waits up to {@code timeoutMillis} for a wake-up and reads the rings that woke. */
    public void poll(int timeoutMillis) {
        Libbcc.lib().perf_reader_poll(readers.length, readers, timeoutMillis);
    }

    /** Reads everything in every ring now, without waiting. */
    public void consume() {
        Libbcc.lib().perf_reader_consume(readers.length, readers);
    }

    /** Unmaps the rings and closes their fds. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Pointer reader : readers) {
            Libbcc.lib().perf_reader_free(reader);
        }
        // Keep the callbacks reachable until the readers are gone.
        java.lang.ref.Reference.reachabilityFence(rawCallback);
        java.lang.ref.Reference.reachabilityFence(lostCallback);
    }
}
