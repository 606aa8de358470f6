package io.procmon.bpf.asm;

/**
 * One eBPF instruction before assembly. A jump may name a label instead of an offset, and a 64-bit
 * immediate load may name a map instead of a file descriptor; {@link Assembler#assemble} resolves
 * both.
 *
 * @param opcode the 8-bit opcode
 * @param dst destination register number
 * @param src source register number (or pseudo source, for map loads)
 * @param offset 16-bit signed offset
 * @param imm 32-bit immediate (a 64-bit immediate for {@link #isWide()} loads)
 * @param jumpLabel label a jump goes to, or null
 * @param mapName map whose fd this wide load takes, or null
 */
public record Instruction(int opcode, int dst, int src, int offset, long imm, String jumpLabel, String mapName) {
    /** Opcode of the two-slot 64-bit immediate load ({@code BPF_LD | BPF_DW | BPF_IMM}). */
    public static final int LD_IMM64 = 0x18;

    /** Whether this instruction takes two 8-byte slots. */
    public boolean isWide() {
        return opcode == LD_IMM64;
    }

    /** Its size in 8-byte slots. */
    public int slots() {
        return isWide() ? 2 : 1;
    }
}
