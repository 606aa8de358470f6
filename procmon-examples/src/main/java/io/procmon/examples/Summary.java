package io.procmon.examples;

import io.procmon.core.LostEvents;
import io.procmon.core.MonitorStats;
import java.util.Locale;
import java.util.stream.Collectors;

/** The one-line texts the monitor prints on standard error. */
final class Summary {
    private Summary() {
    }

    /** Live status: rate over the last interval, totals, losses. */
    static String status(double eventsPerSecond, MonitorStats stats) {
        return String.format(Locale.ROOT, "procmon: %,.0f events/s, %,d total, %,d lost", eventsPerSecond, stats.delivered(),
                stats.lostTotal());
    }

    /** Final line: rows written, losses and where, elapsed time. */
    static String onStop(MonitorStats stats, String output, double seconds) {
        String lost = stats.lostTotal() == 0 ? "0 events lost"
                : String.format(Locale.ROOT, "%,d events lost (%s)", stats.lostTotal(), where(stats));
        long argumentsDropped = stats.lost(LostEvents.Origin.ARGUMENTS);
        if (argumentsDropped > 0) {
            lost += String.format(Locale.ROOT, "; arguments of %,d processes dropped (held arguments over their bound)", argumentsDropped);
        }
        return String.format(Locale.ROOT, "procmon: %,d rows written to %s in %.1f s; %s", stats.delivered(), output, seconds, lost);
    }

    private static String where(MonitorStats stats) {
        return stats.lost().stream().filter(l -> l.origin().losesEvents())
                .map(l -> l.origin().label().replace('_', ' ')
                        + (l.cpu() == LostEvents.NO_CPU ? "" : " cpu " + l.cpu()) + ": " + l.count())
                .collect(Collectors.joining(", "));
    }

    /** What the Kafka sink did: delivered, lost. */
    static String kafka(io.procmon.kafka.KafkaSink.Stats stats) {
        return String.format(Locale.ROOT, "Kafka: %,d records, %,d delivered, %,d lost", stats.numbered(), stats.delivered(), stats.lost());
    }

    /** Seconds without a useless ".0". */
    static String seconds(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }
}
