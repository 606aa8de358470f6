package io.procmon.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.LostEvents;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {
    @Test
    void countsGapsDuplicatesAndAnnouncedLosses() {
        SequenceTracker t = new SequenceTracker();
        for (long seq : new long[] {1, 2, 3, 6, 7, 7, 10, 2}) {
            t.offer(seq);
        }
        t.announced(new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, 4));
        t.announced(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 9));
        assertThat(t.received()).isEqualTo(6);
        assertThat(t.duplicates()).isEqualTo(2);
        assertThat(t.missing()).isEqualTo(4); // 4, 5, 8, 9
        assertThat(t.gapRanges()).isEqualTo(2);
        assertThat(t.highest()).isEqualTo(10);
        assertThat(t.announcedSinkLosses()).isEqualTo(4);
        assertThat(t.otherLosses()).isEqualTo(9);
    }

    @Test
    void aResumedGroupStartingMidRunHasNoGapBeforeItsFirstRecord() {
        SequenceTracker t = new SequenceTracker(true);
        for (long seq = 249; seq <= 289; seq++) {
            t.offer(seq);
        }
        assertThat(t.missing()).isZero();
        assertThat(t.gapRanges()).isZero();
        assertThat(t.countedFrom()).isEqualTo(249);
    }

    @Test
    void aRunReadFromItsStartCountsTheLostFirstRecordsAsAGap() {
        SequenceTracker t = new SequenceTracker();
        for (long seq = 436; seq <= 440; seq++) {
            t.offer(seq);
        }
        assertThat(t.missing()).isEqualTo(435);
        assertThat(t.gapRanges()).isEqualTo(1);
        assertThat(t.countedFrom()).isEqualTo(1);
    }

    @Test
    void aNoticeNamesItsRecordsAndThoseThatArrivedAnywayCountOnce() {
        SeqRanges lost = new SeqRanges();
        lost.add(7);
        lost.add(5);
        lost.addRanges(new long[] {6, 6, 9, 10});
        long[] ranges = lost.drain();
        assertThat(ranges).containsExactly(5, 7, 9, 10);
        assertThat(SeqRanges.count(ranges)).isEqualTo(5);
        assertThat(lost.drain()).isEmpty();

        SequenceTracker t = new SequenceTracker();
        for (long seq : new long[] {1, 2, 3, 4, 8, 10, 11}) {
            t.offer(seq);
        }
        t.announced(new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, 5), ranges);
        assertThat(t.missing()).isEqualTo(4); // 5, 6, 7, 9
        assertThat(t.announcedButArrived()).isEqualTo(1); // 10 was written after all
        assertThat(t.announcedSinkLosses() - t.announcedButArrived()).isEqualTo(t.missing());
    }
}
