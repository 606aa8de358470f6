package io.procmon.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The range set against a plain bitmap, on random adds and ranges; and its memory on hostile numbers. */
class SeqSetTest {
    @Test
    void agreesWithABitmap() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            SeqSet set = new SeqSet();
            SeqSet other = new SeqSet();
            BitSet bits = new BitSet();
            BitSet otherBits = new BitSet();
            for (int i = 0; i < 300; i++) {
                int seq = 1 + random.nextInt(400);
                if (random.nextInt(5) == 0) {
                    int to = seq + random.nextInt(30);
                    set.addRange(seq, to);
                    bits.set(seq, to + 1);
                } else {
                    assertThat(set.add(seq)).isEqualTo(!bits.get(seq));
                    bits.set(seq);
                }
                int o = 1 + random.nextInt(400);
                other.add(o);
                otherBits.set(o);
            }
            assertThat(set.size()).isEqualTo(bits.cardinality());
            for (int seq = 0; seq < 450; seq++) {
                assertThat(set.contains(seq)).as("seq %d", seq).isEqualTo(bits.get(seq));
            }
            BitSet both = (BitSet) bits.clone();
            both.and(otherBits);
            assertThat(set.overlap(other)).isEqualTo(both.cardinality());
            int from = 1 + random.nextInt(100);
            int to = from + random.nextInt(350);
            assertThat(set.gapsIn(from, to)).as("gaps in [%d, %d]", from, to).isEqualTo(gaps(bits, from, to));
            BitSet window = (BitSet) both.clone();
            window.clear(0, from);
            window.clear(to + 1, 500);
            assertThat(set.overlap(other, from, to)).as("overlap in [%d, %d]", from, to).isEqualTo(window.cardinality());

            int floor = 1 + random.nextInt(420);
            set.dropBelow(floor);
            bits.clear(0, floor);
            assertThat(set.size()).isEqualTo(bits.cardinality());
            for (int seq = 0; seq < 450; seq++) {
                assertThat(set.contains(seq)).as("seq %d after dropping below %d", seq, floor).isEqualTo(bits.get(seq));
            }
            if (set.rangeCount() > 0) {
                assertThat(set.startOf(0)).isEqualTo(bits.nextSetBit(0));
            }
        }
    }

    private static long gaps(BitSet bits, int from, int to) {
        long gaps = 0;
        for (int i = from; i <= to; i++) {
            if (!bits.get(i) && (i == from || bits.get(i - 1))) {
                gaps++;
            }
        }
        return gaps;
    }

    @Test
    void hugeNumbersCostOneRangeEach() {
        SeqSet set = new SeqSet();
        set.add(1);
        set.add(Integer.MAX_VALUE);
        set.addRange(1_000_000_000L, 1_999_999_999L);
        assertThat(set.rangeCount()).isEqualTo(3);
        assertThat(set.size()).isEqualTo(1_000_000_002L);
        assertThat(set.gapsIn(1, Integer.MAX_VALUE)).isEqualTo(2);
    }
}
