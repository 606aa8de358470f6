package io.procmon.schema;

import io.procmon.core.LostEvents;

/**
 * What a consumer saw of one monitor run's records: which sequence numbers arrived, how often, and
 * the losses the run announced. Its memory follows the number of gaps, not the numbers' size. Not
 * thread-safe.
 */
public final class SequenceTracker {
    /** The highest sequence number a record may carry (a run numbers from 1). */
    public static final long MAX_SEQ = Integer.MAX_VALUE;
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
        if (!seen.add(seq)) {
            duplicates++;
            return false;
        }
        distinct++;
        highest = Math.max(highest, seq);
        lowest = Math.min(lowest, seq);
        return true;
    }

    /** Counts a loss notice the run sent. */
    public void announced(LostEvents lost) {
        announced(lost, new long[0]);
    }

    /** Counts a loss notice the run sent, with the sequence numbers it announces (inclusive ranges). */
    public void announced(LostEvents lost, long[] seqRanges) {
        for (int i = 0; i + 1 < seqRanges.length; i += 2) {
            if (seqRanges[i] >= 1 && seqRanges[i + 1] <= MAX_SEQ && seqRanges[i] <= seqRanges[i + 1]) {
                announcedSeqs.addRange(seqRanges[i], seqRanges[i + 1]);
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
        return distinct == 0 ? 0 : seen.gapsIn(countedFrom(), highest);
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
        return announcedSeqs.overlap(seen);
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
