package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.LostEvents;
import io.procmon.core.MonitorStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {
    @Test
    void summarySaysWhatWasLostAndWhere() {
        MonitorStats stats = new MonitorStats(1_300, 1_288, 0, List.of(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 10),
                new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 2)), 0);
        assertThat(Summary.onStop(stats, "process_events.csv", 12.34)).isEqualTo(
                "procmon: 1,288 rows written to process_events.csv in 12.3 s; 12 events lost (kernel buffer cpu 0: 10, kernel buffer cpu 1: 2)");
        assertThat(Summary.onStop(new MonitorStats(5, 5, 0, List.of(), 0), "x.csv", 1))
                .isEqualTo("procmon: 5 rows written to x.csv in 1.0 s; 0 events lost");
        assertThat(Summary.status(1234.4, stats)).isEqualTo("procmon: 1,234 events/s, 1,288 total, 12 lost");
    }

}
