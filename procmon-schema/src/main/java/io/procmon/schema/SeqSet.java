package io.procmon.schema;

import java.util.Map;
import java.util.TreeMap;

/**
 * A set of sequence numbers held as disjoint inclusive ranges: its memory follows the number of
 * gaps, not the size of the numbers, so one record claiming seq 2,147,483,647 costs one range, not
 * a 256 MiB bitmap. In-order arrival extends the last range. Not thread-safe.
 */
final class SeqSet {
    /** Range start → range end (inclusive); ranges never touch or overlap. */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private long size;

    /** Adds {@code seq}; false when it was there already. */
    boolean add(long seq) {
        Map.Entry<Long, Long> below = ranges.floorEntry(seq);
        if (below != null && below.getValue() >= seq) {
            return false;
        }
        boolean joinsBelow = below != null && below.getValue() == seq - 1;
        Long aboveEnd = ranges.get(seq + 1);
        if (joinsBelow && aboveEnd != null) {
            ranges.remove(seq + 1);
            ranges.put(below.getKey(), aboveEnd);
        } else if (joinsBelow) {
            ranges.put(below.getKey(), seq);
        } else if (aboveEnd != null) {
            ranges.remove(seq + 1);
            ranges.put(seq, aboveEnd);
        } else {
            ranges.put(seq, seq);
        }
        size++;
        return true;
    }

    /** Adds every number of {@code [from, to]}. */
    void addRange(long from, long to) {
        long start = from;
        long end = to;
        Map.Entry<Long, Long> below = ranges.floorEntry(from);
        if (below != null && below.getValue() >= from - 1) {
            start = below.getKey();
            end = Math.max(end, below.getValue());
        }
        // Swallow every range that starts inside [start, end + 1].
        for (Map.Entry<Long, Long> e = ranges.ceilingEntry(start); e != null && e.getKey() <= end + 1; e = ranges.ceilingEntry(start)) {
            end = Math.max(end, e.getValue());
            size -= e.getValue() - e.getKey() + 1;
            ranges.remove(e.getKey());
        }
        ranges.put(start, end);
        size += end - start + 1;
    }

    boolean contains(long seq) {
        Map.Entry<Long, Long> below = ranges.floorEntry(seq);
        return below != null && below.getValue() >= seq;
    }

    /** How many numbers the set holds. */
    long size() {
        return size;
    }

    /** How many numbers the two sets share. */
    long overlap(SeqSet other) {
        long both = 0;
        for (Map.Entry<Long, Long> r : ranges.entrySet()) {
            for (Map.Entry<Long, Long> o : other.ranges.subMap(other.ranges.floorKey(r.getKey()) == null ? r.getKey()
                    : other.ranges.floorKey(r.getKey()), true, r.getValue(), true).entrySet()) {
                long from = Math.max(r.getKey(), o.getKey());
                long to = Math.min(r.getValue(), o.getValue());
                if (from <= to) {
                    both += to - from + 1;
                }
            }
        }
        return both;
    }

    /** How many runs of absent numbers lie in {@code [from, to]}. */
    long gapsIn(long from, long to) {
        long gaps = 0;
        long next = from; // the first number not yet known to be present or in a counted gap
        for (Map.Entry<Long, Long> r : ranges.tailMap(ranges.floorKey(from) == null ? from : ranges.floorKey(from), true).entrySet()) {
            if (r.getKey() > to) {
                break;
            }
            if (r.getKey() > next) {
                gaps++;
            }
            next = Math.max(next, r.getValue() + 1);
        }
        return next <= to ? gaps + 1 : gaps;
    }

    /** How many disjoint ranges the set is made of: its memory. */
    int rangeCount() {
        return ranges.size();
    }
}
