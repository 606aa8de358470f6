package io.procmon.core;

/** What a {@link Monitor} does when one of its sinks throws. */
public enum SinkFailurePolicy {
    /**
     * Count the failure, report it in {@link Monitor#health()}, and keep calling the sink: for sinks
     * that recover (a broker back), or whose losses they announce themselves. The default.
     */
    CONTINUE,
    /**
     * The first failure halts this sink (it is called again only to close) and is handed to the
     * monitor's {@link Monitor.Builder#onFailure failure handler}, which stops the monitor: for a
     * file that must not silently stop growing (disk full, a closed pipe).
     */
    STOP
}
