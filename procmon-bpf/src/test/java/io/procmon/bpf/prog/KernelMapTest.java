package io.procmon.bpf.prog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class KernelMapTest {
    private static final ProgramOptions PLAIN = ProgramOptions.original();
    private static final ProgramOptions EVERYTHING = new ProgramOptions(true, true, OptionalInt.empty(), 0, false, true, 4096, OptionalInt.empty(), true, true);

    @Test
    void everyMapHasOneDistinctNameTheKernelKeepsWhole() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (KernelMap map : KernelMap.values()) {
            assertThat(("procmon_" + map.symbol()).length()).as(map.name()).isLessThanOrEqualTo(15); // BPF_OBJ_NAME_LEN - 1
            assertThat(names.add(map.symbol())).as(map.name()).isTrue();
        }
    }

    @Test
    void valueSizesFollowTheLayoutAndTheOptions() {
        assertThat(KernelMap.START.valueSize(PLAIN)).isEqualTo(EventLayout.START_SIZE);
        assertThat(KernelMap.START.valueSize(EVERYTHING)).isEqualTo(EventLayout.START_SIZE_WITH_EXE);
        assertThat(KernelMap.ARGS_BUFFER.valueSize(EVERYTHING)).isEqualTo(EventLayout.ARGS_HEADER + 4096);
        assertThat(KernelMap.CGROUP_PATHS.keySize()).isEqualTo(KernelMap.CgroupKey.SIZE);
        assertThat(KernelMap.ENDED.keySize()).isEqualTo(KernelMap.TaskKey.SIZE);
    }

    @Test
    void keysPackTheirFieldsAtTheOffsetsTheProgramsUse() {
        ByteBuffer task = ByteBuffer.wrap(KernelMap.TaskKey.pack(new byte[KernelMap.TaskKey.SIZE], 4242, 0x1122334455667788L))
                .order(ByteOrder.nativeOrder());
        assertThat(task.getInt(KernelMap.TaskKey.TGID)).isEqualTo(4242);
        assertThat(task.getInt(KernelMap.TaskKey.TGID + 4)).isZero();
        assertThat(task.getLong(KernelMap.TaskKey.START_NS)).isEqualTo(0x1122334455667788L);

        byte[] reused = new byte[KernelMap.CgroupKey.SIZE];
        java.util.Arrays.fill(reused, (byte) 0xff); // a key buffer used before: the padding is written too
        ByteBuffer cgroup = ByteBuffer.wrap(KernelMap.CgroupKey.pack(reused, 3, 99L)).order(ByteOrder.nativeOrder());
        assertThat(cgroup.getInt(KernelMap.CgroupKey.HIERARCHY)).isEqualTo(3);
        assertThat(cgroup.getInt(KernelMap.CgroupKey.HIERARCHY + 4)).isZero();
        assertThat(cgroup.getLong(KernelMap.CgroupKey.ID)).isEqualTo(99L);

        assertThat(ByteBuffer.wrap(KernelMap.U32Key.pack(new byte[4], 7)).order(ByteOrder.nativeOrder()).getInt(0)).isEqualTo(7);
    }
}
