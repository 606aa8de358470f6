package io.procmon.bpf.prog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmon.core.ProcessEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class EventLayoutTest {

    private static ByteBuffer sample(int flags) {
        ByteBuffer b = ByteBuffer.allocate(EventLayout.SIZE + 4).order(ByteOrder.nativeOrder());
        b.putLong(EventLayout.EXEC_NS, 1_000_000_000L)
                .putLong(EventLayout.EXIT_NS, 2_520_340_000L)
                .putInt(EventLayout.PID, 1234)
                .putInt(EventLayout.PPID, 1200)
                .putInt(EventLayout.PARENT_AT_EXIT, 1)
                .putInt(EventLayout.UID, 1000)
                .putInt(EventLayout.EXIT_CODE, 9)
                .putInt(EventLayout.FLAGS, flags);
        byte[] comm = {'b', 'a', 's', 'h', 0, 'X', 'X'};
        b.put(EventLayout.COMM, comm);
        return b;
    }

    @Test
    void decodesEveryField() {
        ProcessEvent e = EventLayout.decode(sample(0), ProcessEvent.CLOCK_OFFSET_UNKNOWN);
        assertThat(e.pid()).isEqualTo(1234);
        assertThat(e.ppid()).isEqualTo(1200);
        assertThat(e.parentAtExit()).hasValue(1);
        assertThat(e.uid()).isEqualTo(1000);
        assertThat(e.command()).isEqualTo("bash");
        assertThat(e.durationNanos()).isEqualTo(1_520_340_000L);
        assertThat(e.signal()).hasValue(9);
        assertThat(e.startedBeforeMonitoring()).isFalse();
    }

    @Test
    void readsTheCommandUpToItsNulAtEveryLengthWithHighBytesInEitherByteOrder() {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (int length = 0; length <= EventLayout.COMM_SIZE; length++) {
                byte[] comm = new byte[EventLayout.COMM_SIZE];
                for (int i = 0; i < length; i++) {
                    comm[i] = (byte) (i % 2 == 0 ? 'a' + i : 0x80 + i); // high bytes must not end the name
                }
                ByteBuffer b = sample(0);
                b.put(EventLayout.COMM, comm);
                ProcessEvent e = EventLayout.decode(b.duplicate().order(order), ProcessEvent.CLOCK_OFFSET_UNKNOWN);
                assertThat(e.commandBytes()).as("%s, %d bytes", order, length).isEqualTo(java.util.Arrays.copyOf(comm, length));
            }
        }
    }

    @Test
    void withoutStartRecordTheParentAtExitIsTheParent() {
        ByteBuffer b = sample(EventLayout.FLAG_NO_START_RECORD);
        b.putInt(EventLayout.PPID, 0);
        ProcessEvent e = EventLayout.decode(b, ProcessEvent.CLOCK_OFFSET_UNKNOWN);
        assertThat(e.startedBeforeMonitoring()).isTrue();
        assertThat(e.ppid()).isEqualTo(1);
        assertThat(EventLayout.hasNoStartRecord(b)).isTrue();
    }

    @Test
    void decodesFromTheBufferPositionAndRefusesShortSamples() {
        ByteBuffer padded = ByteBuffer.allocate(EventLayout.SIZE + 8).order(ByteOrder.nativeOrder());
        padded.position(8);
        padded.slice().order(ByteOrder.nativeOrder()).put(sample(0).array(), 0, EventLayout.SIZE);
        assertThat(EventLayout.decode(padded, ProcessEvent.CLOCK_OFFSET_UNKNOWN).pid()).isEqualTo(1234);
        assertThatThrownBy(() -> EventLayout.decode(ByteBuffer.allocate(EventLayout.SIZE - 1), ProcessEvent.CLOCK_OFFSET_UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void layoutFieldsDoNotOverlapAndFillTheRecord() {
        int[][] fields = {{EventLayout.EXEC_NS, 8}, {EventLayout.EXIT_NS, 8}, {EventLayout.PID, 4}, {EventLayout.PPID, 4},
            {EventLayout.PARENT_AT_EXIT, 4}, {EventLayout.UID, 4}, {EventLayout.EXIT_CODE, 4}, {EventLayout.FLAGS, 4},
            {EventLayout.COMM, EventLayout.COMM_SIZE}, {EventLayout.CGROUP_ID, 8}, {EventLayout.CGROUP_V1_ID, 8}};
        boolean[] used = new boolean[EventLayout.SIZE];
        for (int[] f : fields) {
            assertThat(f[0] % Math.min(f[1], 8)).as("alignment of offset %d", f[0]).isZero();
            for (int i = f[0]; i < f[0] + f[1]; i++) {
                assertThat(used[i]).as("byte %d used twice", i).isFalse();
                used[i] = true;
            }
        }
        for (boolean u : used) {
            assertThat(u).isTrue();
        }
    }
}
