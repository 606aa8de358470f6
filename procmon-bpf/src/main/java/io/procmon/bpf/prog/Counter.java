package io.procmon.bpf.prog;

/** Slots of the per-CPU counters map the programs bump, so that nothing they drop is hidden. */
public enum Counter {
    /** {@code bpf_perf_event_output} failed: the CPU's ring was full. Exact, unlike the perf lost callback. */
    OUTPUT_FAILED,
    /** The start record could not be stored (map full): that process's exit will have no start. */
    START_INSERT_FAILED,
    /** A process exited without a start record: it started before monitoring, or never exec'd. */
    EXIT_WITHOUT_START,
    /** An arguments record could not be sent (ring full): that process's row says its args are missing. */
    ARGS_OUTPUT_FAILED;

    /** Entries of the counters map. */
    public static final int COUNT = values().length;
}
