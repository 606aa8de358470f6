package io.procmon.bpf.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Parses BTF blobs crafted byte by byte. */
class BtfTest {

    /** Writes raw BTF: types and strings, with the 24-byte header. */
    static final class BtfWriter {
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private final ByteBuffer types = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        private int nextId = 1;

        BtfWriter() {
            strings.write(0);
        }

        int str(String s) {
            if (s == null) {
                return 0;
            }
            int off = strings.size();
            strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        }

        private int header(String name, int kind, int vlen, boolean kindFlag, int sizeOrType) {
            types.putInt(str(name)).putInt((kindFlag ? 1 << 31 : 0) | (kind << 24) | vlen).putInt(sizeOrType);
            return nextId++;
        }

        int integer(String name, int size) {
            int id = header(name, Btf.KIND_INT, 0, false, size);
            types.putInt(size * 8);
            return id;
        }

        int pointer(int to) {
            return header(null, Btf.KIND_PTR, 0, false, to);
        }

        int typedef(String name, int to) {
            return header(name, Btf.KIND_TYPEDEF, 0, false, to);
        }

        int constOf(int to) {
            return header(null, Btf.KIND_CONST, 0, false, to);
        }

        int array(int elem, int count) {
            int id = header(null, Btf.KIND_ARRAY, 0, false, 0);
            types.putInt(elem).putInt(elem).putInt(count);
            return id;
        }

        int enumeration(String name, String... values) {
            int id = header(name, Btf.KIND_ENUM, values.length, false, 4);
            for (int i = 0; i < values.length; i++) {
                types.putInt(str(values[i])).putInt(i);
            }
            return id;
        }

        /** members: name (null = anonymous), type id, offset in bits; with kindFlag, bitfield size too. */
        int struct(boolean union, String name, int size, boolean kindFlag, Object... members) {
            int stride = kindFlag ? 4 : 3;
            int id = header(name, union ? Btf.KIND_UNION : Btf.KIND_STRUCT, members.length / stride, kindFlag, size);
            for (int i = 0; i < members.length; i += stride) {
                int bits = (Integer) members[i + 2];
                int offset = kindFlag ? ((Integer) members[i + 3] << 24) | bits : bits;
                types.putInt(str((String) members[i])).putInt((Integer) members[i + 1]).putInt(offset);
            }
            return id;
        }

        byte[] bytes() {
            byte[] t = java.util.Arrays.copyOf(types.array(), types.position());
            byte[] s = strings.toByteArray();
            ByteBuffer out = ByteBuffer.allocate(24 + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN);
            out.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24)
                    .putInt(0).putInt(t.length).putInt(t.length).putInt(s.length);
            return out.put(t).put(s).array();
        }
    }

    private static Btf taskStructLike() {
        BtfWriter w = new BtfWriter();
        int intT = w.integer("int", 4);
        int u64 = w.integer("unsigned long long", 8);
        int pidT = w.typedef("pid_t", intT);
        int constPid = w.constOf(pidT);
        w.enumeration("state", "RUNNING", "SLEEPING");
        int comm = w.array(w.integer("char", 1), 16);
        int task = 11; // forward reference to the struct below (ids are sequential)
        int taskPtr = w.pointer(task);
        // struct { int a; union { u64 b; struct { int c; pid_t tgid; }; }; } at offset 64 bytes
        int innerStruct = w.struct(false, null, 8, false, "c", intT, 0, "tgid", pidT, 32);
        int innerUnion = w.struct(true, null, 8, false, "b", u64, 0, null, innerStruct, 0);
        assertThat(w.struct(false, "task_struct", 128, false,
                "pid", constPid, 0,
                "comm", comm, 32,
                null, innerUnion, 8 * 64,
                "real_parent", taskPtr, 8 * 80,
                "start_time", u64, 8 * 88)).isEqualTo(task);
        w.struct(false, "flags", 8, true, "lo", intT, 0, 3, "hi", intT, 3, 29, "whole", intT, 32, 0);
        return Btf.parse(w.bytes());
    }

    @Test
    void findsDirectMembersWithTheirSizes() {
        Btf btf = taskStructLike();
        assertThat(btf.member("task_struct", "pid")).isEqualTo(new Member(0, 4));
        assertThat(btf.member("task_struct", "comm")).isEqualTo(new Member(4, 16));
        assertThat(btf.member("task_struct", "real_parent")).isEqualTo(new Member(80, 8));
        assertThat(btf.member("task_struct", "start_time")).isEqualTo(new Member(88, 8));
    }

    @Test
    void findsMembersInsideAnonymousUnionsAndStructsAddingOffsets() {
        Btf btf = taskStructLike();
        assertThat(btf.member("task_struct", "b")).isEqualTo(new Member(64, 8));
        assertThat(btf.member("task_struct", "tgid")).isEqualTo(new Member(68, 4));
    }

    @Test
    void kindFlagOffsetsAreDecodedAndBitfieldsRefused() {
        Btf btf = taskStructLike();
        assertThat(btf.member("flags", "whole")).isEqualTo(new Member(4, 4));
        assertThatThrownBy(() -> btf.member("flags", "hi")).isInstanceOf(BtfException.class).hasMessageContaining("bit field");
    }

    @Test
    void missingThingsAreNamed() {
        Btf btf = taskStructLike();
        assertThatThrownBy(() -> btf.member("task_struct", "nope")).isInstanceOf(BtfException.class)
                .hasMessage("kernel BTF: struct task_struct has no member nope");
        assertThatThrownBy(() -> btf.member("mm_struct", "x")).isInstanceOf(BtfException.class)
                .hasMessage("kernel BTF has no struct mm_struct");
    }

    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> Btf.parse(new byte[30])).isInstanceOf(BtfException.class).hasMessageContaining("magic");
        assertThatThrownBy(() -> Btf.parse(new byte[3])).isInstanceOf(BtfException.class);
    }

    @Test
    void readsTheRunningKernelWhenItHasBtf() throws Exception {
        io.procmon.bpf.BpfAvailable.assumeKernelHas(Files.isReadable(Btf.KERNEL_BTF), "BTF readable at " + Btf.KERNEL_BTF);
        Btf btf = Btf.kernel();
        assertThat(btf.typeCount()).isGreaterThan(10_000);
        assertThat(btf.member("task_struct", "real_parent").size()).isEqualTo(8);
        assertThat(btf.member("task_struct", "tgid").size()).isEqualTo(4);
        assertThat(btf.member("signal_struct", "live").size()).isEqualTo(4);
    }
}
