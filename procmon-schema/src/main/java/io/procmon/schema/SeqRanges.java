package io.procmon.schema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sequence numbers of lost records, gathered from several threads and handed over as merged
 * ranges {@code [from1, to1, from2, to2, ...]} (inclusive), so a loss notice can say exactly which
 * records it announces.
 */
public final class SeqRanges {
    private final List<Long> seqs = new ArrayList<>();

    public synchronized void add(long seq) {
        seqs.add(seq);
    }

    /** Adds flattened inclusive ranges. */
    public synchronized void addRanges(long[] ranges) {
        for (int i = 0; i + 1 < ranges.length; i += 2) {
            for (long s = ranges[i]; s <= ranges[i + 1]; s++) {
                seqs.add(s);
            }
        }
    }

    public synchronized long count() {
        return seqs.size();
    }

    /** Takes everything gathered, as sorted merged ranges; empty when nothing was. */
    public synchronized long[] drain() {
        long[] all = seqs.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
        seqs.clear();
        long[] out = new long[all.length * 2];
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            if (n > 0 && out[n - 1] + 1 == all[i]) {
                out[n - 1] = all[i];
            } else {
                out[n++] = all[i];
                out[n++] = all[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    public static long count(long[] ranges) {
        long c = 0;
        for (int i = 0; i + 1 < ranges.length; i += 2) {
            c += ranges[i + 1] - ranges[i] + 1;
        }
        return c;
    }
}
