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

    @Test
    void aRunWithTenThousandGapsKeepsItsMemoryBoundAndItsCountsExact() {
        SequenceTracker t = new SequenceTracker();
        for (long seq = 1; seq < 20_000; seq += 2) {
            assertThat(t.offer(seq)).isTrue();
        }
        assertThat(t.received()).isEqualTo(10_000);
        assertThat(t.missing()).isEqualTo(9_999);
        assertThat(t.gapRanges()).isEqualTo(9_999);
        assertThat(t.trackedRanges()).isLessThanOrEqualTo(2 * (SequenceTracker.MAX_TRACKED_RANGES + 1));
        assertThat(t.floor()).isGreaterThan(19_000);
        // Below the floor a record is handed over, counted apart; above it a duplicate is still one.
        assertThat(t.offer(2)).isTrue();
        assertThat(t.untracked()).isEqualTo(1);
        assertThat(t.offer(19_999)).isFalse();
        assertThat(t.duplicates()).isEqualTo(1);
        assertThat(t.received()).isEqualTo(10_000);
    }

    @Test
    void aNoticeOfTensOfThousandsOfRangesIsHeldWithinTheBound() {
        SequenceTracker t = new SequenceTracker();
        long[] ranges = new long[2 * 65_536];
        for (int i = 0; i < 65_536; i++) {
            ranges[2 * i] = 10L * i + 1;
            ranges[2 * i + 1] = 10L * i + 5;
        }
        t.announced(new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, 5 * 65_536L), ranges);
        assertThat(t.trackedRanges()).isLessThanOrEqualTo(2 * (SequenceTracker.MAX_TRACKED_RANGES + 1));
        assertThat(t.announcedSinkLosses()).isEqualTo(5 * 65_536L);
    }

    /**
     * A lossy run as it really arrives (in order, some records dropped, each drop announced a few
     * records later, now and then a record the sender gave up on arriving anyway), with hundreds of
     * gaps: the bounded tracker's figures equal those of a bitmap of every number.
     */
    @Test
    void aLossyRunWithHundredsOfGapsHasTheFiguresOfABitmap() {
        java.util.Random random = new java.util.Random(35);
        for (int round = 0; round < 50; round++) {
            SequenceTracker t = new SequenceTracker();
            java.util.BitSet seen = new java.util.BitSet();
            java.util.BitSet announced = new java.util.BitSet();
            java.util.List<long[]> pending = new java.util.ArrayList<>();
            int n = 2_000 + random.nextInt(3_000);
            for (int seq = 1; seq <= n; seq++) {
                boolean dropped = random.nextInt(8) == 0;
                if (dropped) {
                    int to = Math.min(n, seq + random.nextInt(3));
                    pending.add(new long[] {seq, to});
                    boolean arrivesAnyway = random.nextInt(4) == 0;
                    if (arrivesAnyway) {
                        t.offer(seq);
                        seen.set(seq);
                    }
                    seq = to;
                } else {
                    t.offer(seq);
                    seen.set(seq);
                }
                if (!pending.isEmpty() && random.nextInt(3) == 0) {
                    long[] flat = pending.stream().flatMapToLong(java.util.Arrays::stream).toArray();
                    long count = pending.stream().mapToLong(r -> r[1] - r[0] + 1).sum();
                    t.announced(new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, count), flat);
                    pending.forEach(r -> announced.set((int) r[0], (int) r[1] + 1));
                    pending.clear();
                }
            }
            int highest = seen.length() - 1;
            java.util.BitSet missing = new java.util.BitSet();
            missing.set(1, highest + 1);
            missing.andNot(seen);
            long gaps = 0;
            for (int i = missing.nextSetBit(0); i >= 0; i = missing.nextSetBit(missing.nextClearBit(i))) {
                gaps++;
            }
            java.util.BitSet arrived = (java.util.BitSet) announced.clone();
            arrived.and(seen);
            assertThat(gaps).as("round %d: the test must make more gaps than are kept", round)
                    .isGreaterThan(SequenceTracker.MAX_TRACKED_RANGES);
            assertThat(t.received()).as("round %d", round).isEqualTo(seen.cardinality());
            assertThat(t.missing()).as("round %d", round).isEqualTo(missing.cardinality());
            assertThat(t.gapRanges()).as("round %d", round).isEqualTo(gaps);
            assertThat(t.announcedButArrived()).as("round %d", round).isEqualTo(arrived.cardinality());
            assertThat(t.untracked()).isZero();
            assertThat(t.floor()).as("round %d: the floor rose", round).isGreaterThan(1);
            assertThat(t.trackedRanges()).isLessThanOrEqualTo(2 * (SequenceTracker.MAX_TRACKED_RANGES + 1));
        }
    }

    @Test
    void aGapTheFloorCutsInTwoIsStillOneGap() {
        SequenceTracker t = new SequenceTracker();
        for (long seq : new long[] {1, 2, 3, 1_000, 1_001}) {
            t.offer(seq);
        }
        // A notice of many single numbers inside the one gap: its ranges, not the seen ones, raise the floor into the gap.
        long[] ranges = new long[2 * 100];
        for (int i = 0; i < 100; i++) {
            ranges[2 * i] = 10 + 2L * i;
            ranges[2 * i + 1] = 10 + 2L * i;
        }
        t.announced(new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, 100), ranges);
        assertThat(t.floor()).isBetween(11L, 999L);
        assertThat(t.gapRanges()).isEqualTo(1);
        assertThat(t.missing()).isEqualTo(996);
        t.offer(t.floor()); // a record at the floor itself: the gap is now two
        assertThat(t.gapRanges()).isEqualTo(2);
    }
}
