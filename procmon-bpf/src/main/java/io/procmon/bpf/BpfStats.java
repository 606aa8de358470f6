package io.procmon.bpf;

/**
 * Counters of a {@link BpfEventSource}.
 *
 * @param eventsRead events read from the perf rings
 * @param bufferLost events the kernel could not put in a ring, reconciled per CPU from the exact
 *     in-kernel counter and the perf lost callback (the larger of the two, never their sum)
 * @param startInsertFailures start records that could not be stored (start map full)
 * @param exitsWithoutStart exits with no start record: processes older than the monitor, or that
 *     never exec'd (fork only), which the original format does not report
 * @param startedBeforeReported of those, reported as started before monitoring
 * @param forkedWithoutExec exits read of processes that forked after the attach and never exec'd:
 *     read but, as in the original, not reported ({@code eventsRead} counts them too)
 * @param startCapacity entries the kernel's table of running processes (the start map) holds at most;
 *     0 before the source started
 */
public record BpfStats(long eventsRead, long bufferLost, long startInsertFailures, long exitsWithoutStart,
        long startedBeforeReported, long forkedWithoutExec, int startCapacity) {
}
