package io.procmon.bpf.asm;

/** Conditional jumps (the operation bits of the JMP and JMP32 classes). Unsigned unless named S*. */
public enum JumpOp {
    EQ(0x10), GT(0x20), GE(0x30), SET(0x40), NE(0x50), SGT(0x60), SGE(0x70), LT(0xa0), LE(0xb0), SLT(0xc0), SLE(0xd0);

    final int code;

    JumpOp(int code) {
        this.code = code;
    }
}
