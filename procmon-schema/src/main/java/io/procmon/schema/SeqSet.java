package io.procmon.schema;

import java.util.Arrays;

/**
 * A set of sequence numbers held as disjoint inclusive ranges in two sorted arrays: its memory
 * follows the number of gaps (16 bytes a range), not the size of the numbers, so one record
 * claiming seq 2,147,483,647 costs one range, not a 256 MiB bitmap. In-order arrival extends the
 * last range in constant time. Not thread-safe.
 */
final class SeqSet {
    /** Range i is {@code [starts[i], ends[i]]}; ranges are sorted and never touch or overlap. */
    private long[] starts = new long[2];
    private long[] ends = new long[2];
    private int count;
    private long size;

    /** The index of the last range starting at or below {@code seq}, or -1. */
    private int floor(long seq) {
        if (count > 0 && starts[count - 1] <= seq) {
            return count - 1; // in-order arrival: the last range
        }
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= seq) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Adds {@code seq}; false when it was there already. */
    boolean add(long seq) {
        int i = floor(seq);
        if (i >= 0 && ends[i] >= seq) {
            return false;
        }
        boolean joinsBelow = i >= 0 && ends[i] == seq - 1;
        boolean joinsAbove = i + 1 < count && starts[i + 1] == seq + 1;
        if (joinsBelow && joinsAbove) {
            ends[i] = ends[i + 1];
            replace(i + 1, i + 2, 0, 0, false);
        } else if (joinsBelow) {
            ends[i] = seq;
        } else if (joinsAbove) {
            starts[i + 1] = seq;
        } else {
            replace(i + 1, i + 1, seq, seq, true);
        }
        size++;
        return true;
    }

    /** Adds every number of {@code [from, to]}. */
    void addRange(long from, long to) {
        int i = floor(from);
        int first = i >= 0 && ends[i] >= from - 1 ? i : i + 1;
        long start = first == i ? Math.min(from, starts[i]) : from;
        long end = to;
        int last = first; // ranges [first, last) are swallowed
        while (last < count && starts[last] <= end + 1) {
            end = Math.max(end, ends[last]);
            size -= ends[last] - starts[last] + 1;
            last++;
        }
        replace(first, last, start, end, true);
        size += end - start + 1;
    }

    /** Replaces ranges {@code [first, last)} by {@code [start, end]}, or by nothing. */
    private void replace(int first, int last, long start, long end, boolean insert) {
        int keep = insert ? 1 : 0;
        int newCount = count - (last - first) + keep;
        if (newCount > starts.length) {
            starts = Arrays.copyOf(starts, Math.max(newCount, starts.length * 2));
            ends = Arrays.copyOf(ends, starts.length);
        }
        System.arraycopy(starts, last, starts, first + keep, count - last);
        System.arraycopy(ends, last, ends, first + keep, count - last);
        if (insert) {
            starts[first] = start;
            ends[first] = end;
        }
        count = newCount;
    }

    boolean contains(long seq) {
        int i = floor(seq);
        return i >= 0 && ends[i] >= seq;
    }

    /** How many numbers the set holds. */
    long size() {
        return size;
    }

    /** How many numbers the two sets share. */
    long overlap(SeqSet other) {
        return overlap(other, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** How many numbers of {@code [from, to]} the two sets share. */
    long overlap(SeqSet other, long from, long to) {
        long both = 0;
        int i = 0;
        int j = 0;
        while (i < count && j < other.count) {
            long lo = Math.max(Math.max(starts[i], other.starts[j]), from);
            long hi = Math.min(Math.min(ends[i], other.ends[j]), to);
            if (lo <= hi) {
                both += hi - lo + 1;
            }
            if (ends[i] < other.ends[j]) {
                i++;
            } else {
                j++;
            }
        }
        return both;
    }

    /** How many runs of absent numbers lie in {@code [from, to]}. */
    long gapsIn(long from, long to) {
        long gaps = 0;
        long next = from; // the first number not yet known to be present or in a counted gap
        for (int i = Math.max(0, floor(from)); i < count && starts[i] <= to; i++) {
            if (starts[i] > next) {
                gaps++;
            }
            next = Math.max(next, ends[i] + 1);
        }
        return next <= to ? gaps + 1 : gaps;
    }

    /** How many disjoint ranges the set is made of: its memory. */
    int rangeCount() {
        return count;
    }

    /** Where range {@code index} (from 0, lowest first) starts. */
    long startOf(int index) {
        return starts[index];
    }

    /** Forgets every number below {@code floor}. */
    void dropBelow(long floor) {
        int i = 0;
        while (i < count && ends[i] < floor) {
            size -= ends[i] - starts[i] + 1;
            i++;
        }
        replace(0, i, 0, 0, false);
        if (count > 0 && starts[0] < floor) {
            size -= floor - starts[0];
            starts[0] = floor;
        }
    }
}
