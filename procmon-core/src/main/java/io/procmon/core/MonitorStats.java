package io.procmon.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Counters of a {@link Monitor}, consistent enough for a status line or a metrics scrape (each is
 * read atomically, not all together).
 *
 * @param received events the source handed over
 * @param delivered events dispatched to the sinks
 * @param filtered events a filter held back
 * @param lost totals of lost events per origin and CPU, in first-seen order
 * @param sinkFailures calls to a sink that threw
 * @param sinks each sink's own counts, in the order the sinks were added
 * @param queueDepth events and notices waiting in the dispatch queue now
 * @param queueCapacity the dispatch queue's capacity
 * @param lastEventEnd the end time of the newest process handed to the sinks; empty before the first
 */
public record MonitorStats(long received, long delivered, long filtered, List<LostEvents> lost, long sinkFailures,
        List<SinkStats> sinks, int queueDepth, int queueCapacity, Optional<Instant> lastEventEnd) {

    public MonitorStats {
        lost = List.copyOf(lost);
        sinks = List.copyOf(sinks);
    }

    /** Counters without per-sink or queue figures (tests, summaries). */
    public MonitorStats(long received, long delivered, long filtered, List<LostEvents> lost, long sinkFailures) {
        this(received, delivered, filtered, lost, sinkFailures, List.of(), 0, 0, Optional.empty());
    }

    /** All events lost, whatever the origin ({@link LostEvents.Origin#ARGUMENTS} loses none). */
    public long lostTotal() {
        return lost.stream().filter(l -> l.origin().losesEvents()).mapToLong(LostEvents::count).sum();
    }

    /** Events lost at {@code origin}, over every CPU. */
    public long lost(LostEvents.Origin origin) {
        return lost.stream().filter(l -> l.origin() == origin).mapToLong(LostEvents::count).sum();
    }

    /**
     * One sink's counts.
     *
     * @param name the name it was added with ({@link Monitor.Builder#sink(String, EventSink)})
     * @param written processes it accepted (its {@code onEvent} returned normally)
     * @param failures its calls that threw
     */
    public record SinkStats(String name, long written, long failures) {
    }
}
