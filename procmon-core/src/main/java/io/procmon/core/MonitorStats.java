package io.procmon.core;

import java.util.List;

/**
 * Counters of a {@link Monitor}, consistent enough for a status line (each is read atomically,
 * not all together).
 *
 * @param received events the source handed over
 * @param delivered events dispatched to the sinks
 * @param filtered events a filter held back
 * @param lost totals of lost events per origin and CPU, in first-seen order
 * @param sinkFailures calls to a sink that threw
 */
public record MonitorStats(long received, long delivered, long filtered, List<LostEvents> lost, long sinkFailures) {

    public MonitorStats {
        lost = List.copyOf(lost);
    }

    /** All events lost, whatever the origin. */
    public long lostTotal() {
        return lost.stream().mapToLong(LostEvents::count).sum();
    }
}
