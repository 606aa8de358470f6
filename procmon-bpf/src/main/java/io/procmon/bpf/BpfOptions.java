package io.procmon.bpf;

import java.time.Duration;

/**
 * Settings of a {@link BpfEventSource}; {@link #defaults()} suits most hosts.
 *
 * @param pagesPerCpu perf ring size per CPU in 4 KiB pages, a power of two. Default 128 (512 KiB):
 *     measured to lose nothing when 8,000–10,000 processes die at once, where BCC's 8 lose thousands
 * @param wakeupEvents wake the reader every this many events; the rest are read every
 *     {@code maxDelay}. Batching cuts the kernel and reader cost per event several-fold
 * @param maxDelay longest an event waits in the ring before it is read
 * @param maxProcesses capacity of the start map (live processes that exec'd while monitored);
 *     0 = the host's pid_max, capped at 131,072 (about 9 MiB of kernel memory)
 * @param reportWithoutStart also report processes whose exec was not seen (started before
 *     monitoring), flagged {@code startedBeforeMonitoring}; the original tool drops them
 */
public record BpfOptions(int pagesPerCpu, int wakeupEvents, Duration maxDelay, int maxProcesses, boolean reportWithoutStart) {
    public static final int DEFAULT_PAGES_PER_CPU = 128;
    public static final int DEFAULT_WAKEUP_EVENTS = 32;
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(20);
    static final int MAX_PROCESSES_CAP = 131_072;

    public BpfOptions {
        if (pagesPerCpu < 1 || Integer.bitCount(pagesPerCpu) != 1) {
            throw new IllegalArgumentException("pages per CPU must be a power of two, got " + pagesPerCpu);
        }
        if (wakeupEvents < 1) {
            throw new IllegalArgumentException("wakeup events must be at least 1, got " + wakeupEvents);
        }
        if (maxDelay.isNegative() || maxDelay.isZero() || maxDelay.toMillis() > 10_000) {
            throw new IllegalArgumentException("max delay must be between 1 ms and 10 s, got " + maxDelay);
        }
        if (maxProcesses < 0) {
            throw new IllegalArgumentException("max processes must not be negative, got " + maxProcesses);
        }
    }

    public static BpfOptions defaults() {
        return new BpfOptions(DEFAULT_PAGES_PER_CPU, DEFAULT_WAKEUP_EVENTS, DEFAULT_MAX_DELAY, 0, false);
    }

    public BpfOptions withPagesPerCpu(int pages) {
        return new BpfOptions(pages, wakeupEvents, maxDelay, maxProcesses, reportWithoutStart);
    }

    public BpfOptions withWakeupEvents(int events) {
        return new BpfOptions(pagesPerCpu, events, maxDelay, maxProcesses, reportWithoutStart);
    }

    public BpfOptions withMaxDelay(Duration delay) {
        return new BpfOptions(pagesPerCpu, wakeupEvents, delay, maxProcesses, reportWithoutStart);
    }

    public BpfOptions withMaxProcesses(int max) {
        return new BpfOptions(pagesPerCpu, wakeupEvents, maxDelay, max, reportWithoutStart);
    }

    public BpfOptions withReportWithoutStart(boolean report) {
        return new BpfOptions(pagesPerCpu, wakeupEvents, maxDelay, maxProcesses, report);
    }
}
