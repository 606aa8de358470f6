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
        ProcessEvent e = event(sample(0));
        assertThat(e.pid()).isEqualTo(1234);
        assertThat(e.ppid()).isEqualTo(1200);
        assertThat(e.parentAtExit()).hasValue(1);
        assertThat(e.uid()).isEqualTo(1000);
        assertThat(e.command()).isEqualTo("bash");
        assertThat(e.durationNanos()).isEqualTo(1_520_340_000L);
        assertThat(e.signal()).hasValue(9);
        assertThat(e.startedBeforeMonitoring()).isFalse();
    }

    private static ProcessEvent event(ByteBuffer sample) {
        return EventLayout.decodeExit(sample).toEvent(ProcessEvent.CLOCK_OFFSET_UNKNOWN).build();
    }

    @Test
    void readsTheCommandUpToItsNulAtEveryLengthWithHighBytes() {
        for (int length = 0; length <= EventLayout.COMM_SIZE; length++) {
            byte[] comm = new byte[EventLayout.COMM_SIZE];
            for (int i = 0; i < length; i++) {
                comm[i] = (byte) (i % 2 == 0 ? 'a' + i : 0x80 + i); // high bytes must not end the name
            }
            ByteBuffer b = sample(0);
            b.put(EventLayout.COMM, comm);
            assertThat(event(b).commandBytes()).as("%d bytes", length).isEqualTo(java.util.Arrays.copyOf(comm, length));
        }
    }

    @Test
    void decodesTheCgroupIdsAndTheExecutableOnce() {
        ByteBuffer b = ByteBuffer.allocate(EventLayout.SIZE_WITH_EXE).order(ByteOrder.nativeOrder());
        b.put(0, sample(EventLayout.FLAG_HAS_EXE).array(), 0, EventLayout.SIZE);
        b.putLong(EventLayout.CGROUP_ID, 77).putLong(EventLayout.CGROUP_V1_ID, 88).putInt(EventLayout.EXE_LEN, 10);
        b.put(EventLayout.EXE, "/bin/bash\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ExitRecord exit = EventLayout.decodeExit(b);
        assertThat(exit.cgroupV2Id()).isEqualTo(77);
        assertThat(exit.cgroupV1Id()).isEqualTo(88);
        assertThat(exit.toEvent(0).build().executable()).contains("/bin/bash");
        assertThat(exit.exeTruncated()).isFalse();
        b.putInt(EventLayout.EXE_LEN, EventLayout.EXE_SIZE); // probe_read_str filled the buffer: cut
        assertThat(EventLayout.decodeExit(b).exeTruncated()).isTrue();
    }

    @Test
    void refusesSamplesNotInHostOrder() {
        ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        assertThatThrownBy(() -> EventLayout.decodeExit(sample(0).order(other))).isInstanceOf(IllegalArgumentException.class);
        assertThat(EventLayout.decodeExit(EventLayout.nativeOrder(sample(0).order(other))).pid()).isEqualTo(1234);
    }

    @Test
    void withoutStartRecordTheParentAtExitIsTheParent() {
        ByteBuffer b = sample(EventLayout.FLAG_NO_START_RECORD);
        b.putInt(EventLayout.PPID, 0);
        ProcessEvent e = event(b);
        assertThat(e.startedBeforeMonitoring()).isTrue();
        assertThat(e.ppid()).isEqualTo(1);
        assertThat(EventLayout.decodeExit(b).noStartRecord()).isTrue();
    }

    @Test
    void decodesFromTheBufferPositionAndRefusesShortSamples() {
        ByteBuffer padded = ByteBuffer.allocate(EventLayout.SIZE + 8).order(ByteOrder.nativeOrder());
        padded.position(8);
        padded.slice().order(ByteOrder.nativeOrder()).put(sample(0).array(), 0, EventLayout.SIZE);
        assertThat(EventLayout.decodeExit(padded).pid()).isEqualTo(1234);
        assertThatThrownBy(() -> EventLayout.decodeExit(ByteBuffer.allocate(EventLayout.SIZE - 1).order(ByteOrder.nativeOrder())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodesAReleaseRecordFromItsFirstBytesOnly() {
        ByteBuffer whole = sample(EventLayout.FLAG_RELEASE | EventLayout.FLAG_NO_START_RECORD);
        ByteBuffer release = ByteBuffer.wrap(whole.array(), 0, EventLayout.RELEASE_SIZE).slice().order(ByteOrder.nativeOrder());
        assertThat(EventLayout.isRelease(release)).isTrue();
        assertThat(EventLayout.decodeRelease(release)).isEqualTo(new EventLayout.ReleaseRecord(1234, 1_000_000_000L, 2_520_340_000L, true));
        assertThat(EventLayout.isRelease(sample(0))).isFalse();
        assertThatThrownBy(() -> EventLayout.decodeRelease(ByteBuffer.allocate(EventLayout.RELEASE_SIZE - 1).order(ByteOrder.nativeOrder())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void layoutFieldsDoNotOverlapAndFillTheRecord() {
        int[][] fields = {{EventLayout.EXEC_NS, 8}, {EventLayout.EXIT_NS, 8}, {EventLayout.PID, 4}, {EventLayout.PPID, 4},
            {EventLayout.PARENT_AT_EXIT, 4}, {EventLayout.UID, 4}, {EventLayout.EXIT_CODE, 4}, {EventLayout.FLAGS, 4},
            {EventLayout.COMM, EventLayout.COMM_SIZE}, {EventLayout.CGROUP_ID, 8}, {EventLayout.CGROUP_V1_ID, 8},
            {EventLayout.TASK_START_NS, 8}, {EventLayout.IDENTITY, EventLayout.Identity.LOGIN_UID}};
        assertFill(fields, EventLayout.SIZE);
        assertThat(EventLayout.SIZE_WITH_WHO).isEqualTo(EventLayout.IDENTITY + EventLayout.Identity.SIZE);
        assertThat(EventLayout.EXE_LEN).as("the path after the who fields' place").isEqualTo(EventLayout.SIZE_WITH_WHO);
    }

    @Test
    void identityAndStartRecordFieldsDoNotOverlapAndFillTheirRecords() {
        int padding = 20;
        assertFill(new int[][] {{EventLayout.Identity.PARENT_START_NS, 8}, {EventLayout.Identity.LOGIN_UID, 4},
            {EventLayout.Identity.SESSION_ID, 4}, {EventLayout.Identity.EUID, 4}, {padding, 4},
            {EventLayout.Identity.TTY, EventLayout.Identity.TTY_SIZE}}, EventLayout.Identity.SIZE);
        assertFill(new int[][] {{EventLayout.START_EXEC_NS, 8}, {EventLayout.START_PPID, 4}, {EventLayout.START_EXE_LEN, 4},
            {EventLayout.START_IDENTITY, EventLayout.Identity.SIZE}}, EventLayout.START_SIZE_WITH_WHO);
        assertThat(EventLayout.START_SIZE).isEqualTo(EventLayout.START_IDENTITY + EventLayout.Identity.LOGIN_UID);
        assertThat(EventLayout.Identity.SESSION_ID).as("read with the login uid in one").isEqualTo(EventLayout.Identity.LOGIN_UID + 4);
    }

    @Test
    void decodesWhoTheProcessIs() {
        ByteBuffer b = ByteBuffer.allocate(EventLayout.SIZE_WITH_WHO).order(ByteOrder.nativeOrder());
        b.put(0, sample(EventLayout.FLAG_HAS_WHO).array(), 0, EventLayout.SIZE);
        int id = EventLayout.IDENTITY;
        b.putLong(EventLayout.TASK_START_NS, 990_000_000L)
                .putLong(id + EventLayout.Identity.PARENT_START_NS, 500_000_000L)
                .putInt(id + EventLayout.Identity.LOGIN_UID, 1000)
                .putInt(id + EventLayout.Identity.SESSION_ID, 7)
                .putInt(id + EventLayout.Identity.EUID, 0)
                .put(id + EventLayout.Identity.TTY, new byte[] {'p', 't', 's', '1', '2', 0, 'x'});
        ProcessEvent e = EventLayout.decodeExit(b).toEvent(ProcessEvent.CLOCK_OFFSET_UNKNOWN).bootId("b").build();
        assertThat(e.taskStartNanos()).isEqualTo(990_000_000L);
        assertThat(e.parentStartNanos()).isEqualTo(500_000_000L);
        assertThat(e.loginUid()).hasValue(1000);
        assertThat(e.sessionId()).hasValue(7);
        assertThat(e.effectiveUid()).hasValue(0);
        assertThat(e.tty()).hasValue("pts/12");
        assertThat(e.entityId()).hasValue(io.procmon.core.EntityIds.of("b", 1234, 990_000_000L));
        assertThat(e.parentEntityId()).hasValue(io.procmon.core.EntityIds.of("b", 1200, 500_000_000L));

        b.putInt(id + EventLayout.Identity.LOGIN_UID, -1).putInt(id + EventLayout.Identity.SESSION_ID, -1)
                .put(id + EventLayout.Identity.TTY, new byte[] {'t', 't', 'y', 'S', '0', 0});
        e = event(b);
        assertThat(e.loginUid()).as("unset").isEmpty();
        assertThat(e.sessionId()).isEmpty();
        assertThat(e.tty()).hasValue("ttyS0");
        assertThat(e.entityId()).as("no boot id").isEmpty();
        b.put(id + EventLayout.Identity.TTY, new byte[16]);
        assertThat(event(b).tty()).as("no terminal").isEmpty();
        b.put(id + EventLayout.Identity.TTY, new byte[] {'p', 't', 's', 0x1b, '[', '2', 'J', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'});
        assertThat(event(b).tty()).as("16 bytes without a NUL, a control kept printable").hasValue("pts\\x1b[2Jaaaaaaaaa");

        b.putInt(EventLayout.FLAGS, 0).putInt(id + EventLayout.Identity.LOGIN_UID, 1000);
        assertThat(event(b).loginUid()).as("not carried: the bytes are not read").isEmpty();
        assertThat(event(b).tty()).isEmpty();
        assertThat(event(b).entityId()).isEmpty();
        ByteBuffer older = sample(EventLayout.FLAG_NO_START_RECORD);
        older.putLong(EventLayout.TASK_START_NS, 990_000_000L).putLong(id + EventLayout.Identity.PARENT_START_NS, 5);
        assertThat(EventLayout.decodeExit(older).toEvent(0).bootId("b").build().parentEntityId())
                .as("a parent at exit, whose start is not known").isEmpty();
    }

    private static void assertFill(int[][] fields, int size) {
        boolean[] used = new boolean[size];
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
