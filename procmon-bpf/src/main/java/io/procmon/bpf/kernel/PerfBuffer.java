package io.procmon.bpf.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.procmon.bpf.BpfException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 *
 * <p>The rings are read in Java, straight from their shared mapping (as libbpf's perf_buffer does in
 * C): a sample costs no native call, where libbcc's reader made one upcall per sample.
 *
 * <p>Optionally a bell ({@link #addBell}): a one-page ring per CPU that wakes {@link #poll} at its
 * every sample, for a reader that sleeps while the rings are empty; and {@link #interrupt()}, which
 * wakes {@link #poll} from another thread.
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

    private static final int PAGE_SIZE = 4096;
    private static final long PERF_EVENT_OPEN = Platform.isARM() ? 241 : 298; // aarch64 : x86_64
    private static final int PERF_TYPE_SOFTWARE = 1;
    private static final int PERF_COUNT_SW_BPF_OUTPUT = 10;
    private static final int PERF_SAMPLE_RAW = 1 << 10;
    private static final int PERF_ATTR_SIZE = 112; // PERF_ATTR_SIZE_VER5, known to every kernel with BTF
    private static final long PERF_FLAG_FD_CLOEXEC = 1L << 3;
    private static final long PERF_EVENT_IOC_ENABLE = 0x2400;
    private static final long PERF_EVENT_IOC_DISABLE = 0x2401;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final short POLLIN = 1;
    static final int PERF_RECORD_LOST = 2;
    static final int PERF_RECORD_SAMPLE = 9;
    /** Offsets of {@code data_head} and {@code data_tail} in {@code struct perf_event_mmap_page}. */
    private static final int DATA_HEAD = 1024;
    private static final int DATA_TAIL = 1032;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;

    private final Ring[] rings;
    private Ring[] bells = new Ring[0];
    /** An eventfd: {@link #interrupt()} makes it readable, which ends a {@link #poll}. */
    private final int interruptFd;
    private Memory pollFds;
    private int pollCount;
    private final byte[] eventfdValue = new byte[8];
    private long records;
    private final SampleHandler samples;
    private final LostHandler losses;
    /** Where a record that wraps around a ring's end is put together. */
    private ByteBuffer scratch = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());
    private long wrapped;
    private boolean closed;

    /** One CPU's ring: its fd, its mapping (a control page, then the data pages). */
    private static final class Ring {
        final int cpu;
        final int fd;
        final Pointer mapping;
        final long mappingSize;
        final ByteBuffer control;
        final ByteBuffer data;
        final int mask;

        Ring(int cpu, int fd, Pointer mapping, long mappingSize) {
            this.cpu = cpu;
            this.fd = fd;
            this.mapping = mapping;
            this.mappingSize = mappingSize;
            this.control = mapping.getByteBuffer(0, PAGE_SIZE).order(ByteOrder.nativeOrder());
            this.data = mapping.getByteBuffer(PAGE_SIZE, mappingSize - PAGE_SIZE).order(ByteOrder.nativeOrder());
            this.mask = (int) (mappingSize - PAGE_SIZE) - 1;
        }

        void release() {
            LibC.INSTANCE.ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
            LibC.INSTANCE.munmap(mapping, mappingSize);
            LibC.INSTANCE.close(fd);
        }
    }

    private PerfBuffer(Ring[] rings, int interruptFd, SampleHandler samples, LostHandler losses) {
        this.rings = rings;
        this.interruptFd = interruptFd;
        this.samples = samples;
        this.losses = losses;
        preparePoll();
    }

    /** The fds {@link #poll} waits on: the rings, the bells, then the eventfd. */
    private void preparePoll() {
        pollCount = rings.length + bells.length + 1;
        pollFds = new Memory(8L * pollCount);
        int i = 0;
        for (Ring ring : rings) {
            setPollFd(i++, ring.fd);
        }
        for (Ring bell : bells) {
            setPollFd(i++, bell.fd);
        }
        setPollFd(i, interruptFd);
    }

    private void setPollFd(int index, int fd) {
        pollFds.setInt(8L * index, fd);
        pollFds.setShort(8L * index + 4, POLLIN);
        pollFds.setShort(8L * index + 6, (short) 0);
    }

    /**
     * Opens a ring of {@code pagesPerCpu} pages on each of {@code cpus} and stores its fd in
     * {@code perfMap} at the CPU's index. {@code pagesPerCpu} is a power of two (BpfOptions' rule;
     * the kernel refuses other sizes with EINVAL).
     *
     * @param wakeupEvents wake the reader every this many samples (1 = every sample); the rest are
     *     picked up by {@link #consume()}
     */
    public static PerfBuffer open(BpfMap perfMap, List<Integer> cpus, int pagesPerCpu, int wakeupEvents,
            SampleHandler samples, LostHandler losses) {
        Ring[] opened = openRings(perfMap, cpus, pagesPerCpu, wakeupEvents);
        int interruptFd = LibC.INSTANCE.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (interruptFd < 0) {
            int errno = Errno.of(-1);
            for (Ring ring : opened) {
                ring.release();
            }
            throw new BpfException(BpfException.Reason.KERNEL, "cannot make an eventfd for the perf reader: " + Errno.describe(errno));
        }
        return new PerfBuffer(opened, interruptFd, samples, losses);
    }

    /** A ring of {@code pages} on each CPU, each stored in {@code perfMap} at the CPU's index. */
    private static Ring[] openRings(BpfMap perfMap, List<Integer> cpus, int pages, int wakeupEvents) {
        List<Ring> opened = new ArrayList<>();
        try {
            for (int cpu : cpus) {
                Ring ring = openRing(cpu, pages, wakeupEvents);
                opened.add(ring);
                byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(cpu).array();
                byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(ring.fd).array();
                perfMap.update(key, value, BpfMap.ANY);
            }
        } catch (RuntimeException e) {
            opened.forEach(Ring::release);
            throw e;
        }
        return opened.toArray(new Ring[0]);
    }

    /**
     * Opens the bell: a one-page ring on each of {@code cpus}, stored in {@code bellMap}, whose every
     * sample wakes {@link #poll}. What the bell carries is dropped unread. Call once, before polling.
     */
    public void addBell(BpfMap bellMap, List<Integer> cpus) {
        if (bells.length > 0) {
            throw new IllegalStateException("the bell is already open");
        }
        bells = openRings(bellMap, cpus, 1, 1);
        preparePoll();
    }

    /** True when every ring (not the bell) holds nothing unread, as their mapped headers say now. */
    public boolean isEmpty() {
        for (Ring ring : rings) {
            if ((long) LONG.getAcquire(ring.control, DATA_HEAD) != (long) LONG.get(ring.control, DATA_TAIL)) {
                return false;
            }
        }
        return true;
    }

    /** Records read so far (samples and loss records). */
    public long recordsRead() {
        return records;
    }

    /** Ends a {@link #poll} under way, or the next one, at once. Any thread; idempotent. */
    public void interrupt() {
        LibC.INSTANCE.write(interruptFd, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, 8);
    }

    /** The perf event bpf_perf_event_output writes to, as libbcc's and libbpf's readers open it. */
    private static Ring openRing(int cpu, int pages, int wakeupEvents) {
        Memory attr = new Memory(PERF_ATTR_SIZE);
        attr.clear();
        attr.setInt(0, PERF_TYPE_SOFTWARE);
        attr.setInt(4, PERF_ATTR_SIZE);
        attr.setLong(8, PERF_COUNT_SW_BPF_OUTPUT);
        attr.setLong(16, 1); // sample_period
        attr.setLong(24, PERF_SAMPLE_RAW);
        attr.setInt(48, wakeupEvents);
        int fd = LibC.INSTANCE.syscall(PERF_EVENT_OPEN, attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) {
            int errno = Errno.of(-1);
            String failed = "cannot open the perf event of cpu " + cpu + " (perf_event_open): " + Errno.describe(errno);
            java.util.Optional<String> refusal = Privileges.perfEventRefusal(errno, Privileges.perfEventParanoid(),
                    Privileges.effectiveCapabilities());
            throw refusal.isPresent() ? new BpfException(BpfException.Reason.NOT_PERMITTED, failed + "; " + refusal.get())
                    : new BpfException(BpfException.Reason.KERNEL, failed);
        }
        long size = (long) (pages + 1) * PAGE_SIZE;
        Pointer mapping = LibC.INSTANCE.mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (mapping == null || Pointer.nativeValue(mapping) == -1L) {
            int errno = Errno.of(-1);
            LibC.INSTANCE.close(fd);
            throw new BpfException(BpfException.Reason.KERNEL, "cannot map the perf ring of cpu " + cpu + " (" + pages + " pages): "
                    + Errno.describe(errno));
        }
        Ring ring = new Ring(cpu, fd, mapping, size);
        if (LibC.INSTANCE.ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
            int errno = Errno.of(-1);
            ring.release();
            throw new BpfException(BpfException.Reason.KERNEL, "cannot enable the perf event of cpu " + cpu + ": " + Errno.describe(errno));
        }
        return ring;
    }

    /** Waits up to {@code timeoutMillis} for a wake-up, the bell or {@link #interrupt()}, and reads the rings. */
    public void poll(int timeoutMillis) {
        if (await(timeoutMillis)) {
            consume();
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for a wake-up, the bell or {@link #interrupt()}, without
     * reading; true when one came ({@link #consume()} reads it).
     */
    public boolean await(int timeoutMillis) {
        return LibC.Direct.poll(pollFds, pollCount, timeoutMillis) > 0;
    }

    /** Reads everything in every ring now, without waiting; empties the bell and takes an interrupt. */
    public void consume() {
        for (Ring ring : rings) {
            read(ring);
        }
        for (Ring bell : bells) {
            long head = (long) LONG.getAcquire(bell.control, DATA_HEAD);
            LONG.setRelease(bell.control, DATA_TAIL, head);
        }
        if (pollFds.getShort(8L * (pollCount - 1) + 6) != 0) {
            LibC.INSTANCE.read(interruptFd, eventfdValue, 8); // non-blocking: the counter back to zero
            pollFds.setShort(8L * (pollCount - 1) + 6, (short) 0);
        }
    }

    private void read(Ring ring) {
        long head = (long) LONG.getAcquire(ring.control, DATA_HEAD); // pairs with the kernel's store-release
        long tail = (long) LONG.get(ring.control, DATA_TAIL);
        int capacity = ring.mask + 1;
        while (tail < head) {
            int at = (int) (tail & ring.mask);
            // Records are 8-byte aligned and the ring a power of two: a header never wraps.
            int type = ring.data.getInt(at);
            int size = ring.data.getShort(at + 6) & 0xffff;
            if (size < 8) {
                LOG.error("perf ring of cpu {}: record of size {} at {}; dropping the rest of the ring", ring.cpu, size, tail);
                tail = head;
                break;
            }
            records++;
            if (at + size <= capacity) {
                dispatch(ring.cpu, type, ring.data, at, size);
            } else {
                dispatch(ring.cpu, type, reassemble(ring.data, at, size, capacity), 0, size);
                wrapped++;
            }
            tail += size;
        }
        LONG.setRelease(ring.control, DATA_TAIL, tail); // the kernel may now overwrite what was read
    }

    private ByteBuffer reassemble(ByteBuffer data, int at, int size, int capacity) {
        if (scratch.capacity() < size) {
            scratch = ByteBuffer.allocate(Integer.highestOneBit(size) * 2).order(ByteOrder.nativeOrder());
        }
        int first = capacity - at;
        scratch.clear();
        scratch.put(0, data, at, first);
        scratch.put(first, data, 0, size - first);
        return scratch;
    }

    /** The record of {@code size} bytes at {@code at} in {@code data}: one view per sample, the hot path's only allocation here. */
    private void dispatch(int cpu, int type, ByteBuffer data, int at, int size) {
        try {
            if (type == PERF_RECORD_SAMPLE) {
                int rawSize = data.getInt(at + 8);
                samples.onSample(cpu, data.slice(at + 12, Math.min(rawSize, size - 12)).order(ByteOrder.nativeOrder()));
            } else if (type == PERF_RECORD_LOST) {
                losses.onLost(cpu, data.getLong(at + 16)); // after the header and the event id
            }
        } catch (RuntimeException | Error e) {
            LOG.error("cannot handle a record of cpu {}: {}", cpu, e.toString()); // one bad record must not stop the reader
            LOG.debug("record handler failure", e);
        }
    }

    /** Records read so far that wrapped around the end of their ring. */
    public long recordsWrapped() {
        return wrapped;
    }

    /** Disables the events, unmaps the rings and closes their fds. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Ring ring : rings) {
            ring.release();
        }
        for (Ring bell : bells) {
            bell.release();
        }
        LibC.INSTANCE.close(interruptFd);
    }
}
