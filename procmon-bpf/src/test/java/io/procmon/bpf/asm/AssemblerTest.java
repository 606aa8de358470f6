package io.procmon.bpf.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Encodings checked against golden bytes (as llvm-objdump prints them for clang-built programs). */
class AssemblerTest {

    static Stream<Arguments> golden() {
        return Stream.of(
                row("r6 = r1", a -> a.mov64(Reg.R6, Reg.R1), "bf16000000000000"),
                row("r0 = 0", a -> a.mov64(Reg.R0, 0), "b700000000000000"),
                row("r2 = -1 (sign-extended)", a -> a.mov64(Reg.R2, -1), "b7020000ffffffff"),
                row("w3 = -1 (BPF_F_CURRENT_CPU)", a -> a.mov32(Reg.R3, -1), "b4030000ffffffff"),
                row("r0 >>= 32", a -> a.alu64(AluOp.RSH, Reg.R0, 32), "7700000020000000"),
                row("r2 += -4", a -> a.alu64(AluOp.ADD, Reg.R2, -4), "07020000fcffffff"),
                row("r1 += r2", a -> a.alu64(AluOp.ADD, Reg.R1, Reg.R2), "0f21000000000000"),
                row("r0 = *(u8 *)(r6 + 32)", a -> a.load(Size.B, Reg.R0, Reg.R6, 32), "7160200000000000"),
                row("r1 = *(u64 *)(r0 + 0)", a -> a.load(Size.DW, Reg.R1, Reg.R0, 0), "7901000000000000"),
                row("r1 = *(u32 *)(r0 + 8)", a -> a.load(Size.W, Reg.R1, Reg.R0, 8), "6101080000000000"),
                row("*(u32 *)(r10 - 4) = r7", a -> a.store(Size.W, Reg.FP, -4, Reg.R7), "637afcff00000000"),
                row("*(u64 *)(r10 - 72) = r0", a -> a.store(Size.DW, Reg.FP, -72, Reg.R0), "7b0ab8ff00000000"),
                row("*(u64 *)(r10 - 8) = 0", a -> a.storeImm(Size.DW, Reg.FP, -8, 0), "7a0af8ff00000000"),
                row("*(u32 *)(r10 - 8) = 2", a -> a.storeImm(Size.W, Reg.FP, -8, 2), "620af8ff02000000"),
                row("call bpf_get_current_pid_tgid", a -> a.call(Helper.GET_CURRENT_PID_TGID), "850000000e000000"),
                row("call bpf_probe_read_kernel", a -> a.call(Helper.PROBE_READ_KERNEL), "8500000071000000"),
                row("exit", Assembler::exit, "9500000000000000"),
                row("r1 = atomic_xchg((u64 *)(r0 + 0), r1)", a -> a.exchange(Size.DW, Reg.R0, 0, Reg.R1), "db100000e1000000"),
                row("w2 = atomic_xchg((u32 *)(r3 + 8), w2)", a -> a.exchange(Size.W, Reg.R3, 8, Reg.R2), "c3230800e1000000"),
                row("r1 = 0x1122334455667788 ll", a -> a.loadImm64(Reg.R1, 0x1122334455667788L),
                        "1801000088776655" + "0000000044332211"));
    }

    private static Arguments row(String asm, Consumer<Assembler> build, String hex) {
        return Arguments.of(asm, build, hex);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("golden")
    void encodes(String asm, Consumer<Assembler> build, String hex) {
        Assembler a = new Assembler();
        build.accept(a);
        assertThat(HexFormat.of().formatHex(a.assemble(Map.of()))).isEqualTo(hex);
    }

    @Test
    void mapReferencesAreBoundToFdsAtAssembly() {
        Assembler a = new Assembler().loadMap(Reg.R1, "start");
        assertThat(HexFormat.of().formatHex(a.assemble(Map.of("start", 5)))).isEqualTo("1811000005000000" + "0000000000000000");
        assertThatThrownBy(() -> a.assemble(Map.of())).isInstanceOf(IllegalStateException.class).hasMessageContaining("start");
    }

    @Test
    void jumpsResolveLabelsCountingWideLoadsAsTwoSlots() {
        // slot 0 -> 4: +3; slots 1-2 wide load; slot 3 -> 4: 0; slot 4 -> 0: -5
        Assembler a = new Assembler().label("top")
                .jump(JumpOp.EQ, Reg.R0, 0, "out")
                .loadImm64(Reg.R1, 1)
                .jump32(JumpOp.NE, Reg.R1, 7, "out")
                .label("out")
                .ja("top");
        String hex = HexFormat.of().formatHex(a.assemble(Map.of()));
        assertThat(hex).isEqualTo("1500030000000000" + "1801000001000000" + "0000000000000000"
                + "5601000007000000" + "0500fbff00000000");
    }

    @Test
    void badProgramsAreRefused() {
        assertThatThrownBy(() -> new Assembler().ja("nowhere").assemble(Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nowhere");
        assertThatThrownBy(() -> new Assembler().label("x").label("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Assembler().load(Size.W, Reg.R0, Reg.R1, 40_000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Assembler().exchange(Size.B, Reg.R0, 0, Reg.R1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only W and DW");
    }
}
