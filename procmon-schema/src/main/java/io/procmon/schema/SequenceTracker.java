package io.procmon.schema;

import io.procmon.core.LostEvents;

/**
 * What a consumer saw of one monitor run's records: which sequence numbers arrived, how often, and
 * the losses the run announced. Its memory is bounded: at most {@link #MAX_TRACKED_RANGES} ranges
 * of numbers seen and as many announced, about 2 KiB. A run with more gaps than that (a very lossy
 * host, or a hostile sender) has its oldest ones settled: below a floor only totals are kept, the
 * counts of records received and missing stay exact, and a record that arrives below the floor is
 * handed over and counted apart ({@link #untracked()}), as whether it is new or a duplicate can no
 * longer be told. Not thread-safe.
 */
public final class SequenceTracker {
    /** The highest sequence number a record may carry (a run numbers from 1). */
    public static final long MAX_SEQ = Integer.MAX_VALUE;
    /** Ranges of numbers seen, and of numbers announced lost, kept per run at most. */
    public static final int MAX_TRACKED_RANGES = 64;
    private final SeqSet seen = new SeqSet();
    private final SeqSet announcedSeqs = new SeqSet();
    private long distinct;
    private long duplicates;
    private long highest;
    private long lowest = Long.MAX_VALUE;
    private long announcedSinkLosses;
    private long otherLosses;
    private long argumentsDropped;
    private final boolean fromFirstSeen;
    /** Numbers below it are settled: no longer held, only counted. */
    private long floor = 1;
    private long settledGaps;
    /** Whether a gap crossed the floor when it was raised (counted once below it). */
    private boolean gapAcrossFloor;
    private long settledArrivedAnyway;
    private long untracked;

    /** A run read from its start: every number from 1 counts. */
    public SequenceTracker() {
        this(false);
    }

    /**
     * @param fromFirstSeen true when the consumer resumed reading past records an earlier reader of
     *     its group handled: numbers below the lowest seen were read before and are not a gap
     */
    public SequenceTracker(boolean fromFirstSeen) {
        this.fromFirstSeen = fromFirstSeen;
    }

    /**
     * Records that {@code seq} arrived.
     *
     * @return false when it had arrived before (a duplicate)
     */
    public boolean offer(long seq) {
        if (seq < 1 || seq > MAX_SEQ) {
            throw new IllegalArgumentException("sequence number out of range: " + seq);
        }
        if (seq < floor) {
            untracked++;
            return true; // better written twice than never
        }
        if (!seen.add(seq)) {
            duplicates++;
            return false;
        }
        distinct++;
        highest = Math.max(highest, seq);
        lowest = Math.min(lowest, seq);
        if (seen.rangeCount() > MAX_TRACKED_RANGES) {
            settleBelow(seen.startOf(1));
        }
        return true;
    }

    /** Raises the floor to {@code newFloor}: what lies below is counted into the totals and let go. */
    private void settleBelow(long newFloor) {
        if (newFloor <= floor) {
            return;
        }
        long from = Math.max(floor, countedFrom());
        if (distinct > 0 && from <= newFloor - 1) {
            settledGaps += seen.gapsIn(from, newFloor - 1) - gapCountedBelowFloor(from);
            gapAcrossFloor = !seen.contains(newFloor - 1) && !seen.contains(newFloor);
        }
        settledArrivedAnyway += announcedSeqs.overlap(seen, floor, newFloor - 1);
        seen.dropBelow(newFloor);
        announcedSeqs.dropBelow(newFloor);
        floor = newFloor;
    }

    /** Counts a loss notice the run sent. */
    public void announced(LostEvents lost) {
        announced(lost, new long[0]);
    }

    /** Counts a loss notice the run sent, with the sequence numbers it announces (inclusive ranges). */
    public void announced(LostEvents lost, long[] seqRanges) {
        for (int i = 0; i + 1 < seqRanges.length; i += 2) {
            long from = Math.max(seqRanges[i], floor); // below the floor: in the totals only
            if (seqRanges[i] >= 1 && seqRanges[i + 1] <= MAX_SEQ && from <= seqRanges[i + 1]) {
                announcedSeqs.addRange(from, seqRanges[i + 1]);
                if (announcedSeqs.rangeCount() > MAX_TRACKED_RANGES) {
                    settleBelow(announcedSeqs.startOf(1));
                }
            }
        }
        if (lost.origin() == LostEvents.Origin.SINK) {
            announcedSinkLosses += lost.count();
        } else if (lost.origin() == LostEvents.Origin.ARGUMENTS) {
            argumentsDropped += lost.count();
        } else {
            otherLosses += lost.count();
        }
    }

    /** Distinct records received. */
    public long received() {
        return distinct;
    }

    public long duplicates() {
        return duplicates;
    }

    /**
     * Sequence numbers up to the highest seen that never arrived, counted from 1, or from the lowest
     * seen when the consumer resumed mid-run (what came before was read by an earlier collector).
     */
    public long missing() {
        return distinct == 0 ? 0 : highest - countedFrom() + 1 - distinct;
    }

    /** The lowest sequence number seen; 0 before any. */
    public long lowest() {
        return distinct == 0 ? 0 : lowest;
    }

    /** The first sequence number that counts: 1, or the lowest seen for a resumed consumer. */
    public long countedFrom() {
        return fromFirstSeen && distinct > 0 ? lowest : 1;
    }

    /** How many runs of consecutive missing numbers there are. */
    public long gapRanges() {
        if (distinct == 0) {
            return 0;
        }
        long from = Math.max(floor, countedFrom());
        return from <= highest ? settledGaps + seen.gapsIn(from, highest) - gapCountedBelowFloor(from) : settledGaps;
    }

    /**
     * 1 when counting gaps from {@code from} would count again the gap the floor cut in two (already
     * in {@link #settledGaps}): it still starts at the floor, as no record has arrived there since.
     */
    private long gapCountedBelowFloor(long from) {
        return gapAcrossFloor && from == floor && !seen.contains(floor) ? 1 : 0;
    }

    public long highest() {
        return highest;
    }

    /** Records the sending sink announced as dropped (each one a missing sequence number). */
    public long announcedSinkLosses() {
        return announcedSinkLosses;
    }

    /**
     * Records announced as lost that arrived all the same: the producer gave up waiting for the
     * broker's answer, but the broker had written them (a timeout cannot tell).
     */
    public long announcedButArrived() {
        return settledArrivedAnyway + announcedSeqs.overlap(seen);
    }

    /**
     * Records that arrived below the floor of a run with more than {@link #MAX_TRACKED_RANGES}
     * gaps: handed over (new or duplicate, it can no longer be told) and not counted as received.
     */
    public long untracked() {
        return untracked;
    }

    /** Ranges held now, of numbers seen and announced: the tracker's memory, 16 bytes each. */
    public int trackedRanges() {
        return seen.rangeCount() + announcedSeqs.rangeCount();
    }

    /** The lowest number still told apart: 1 until the run has had more gaps than are kept. */
    public long floor() {
        return floor;
    }

    /** Processes reported without their arguments, which the monitor let go to stay within its bound: no event lost. */
    public long argumentsDropped() {
        return argumentsDropped;
    }

    /** Events lost before the monitor's sinks (kernel buffer, start records, dispatch queue): no gap in the sequence. */
    public long otherLosses() {
        return otherLosses;
    }
}
