package io.procmon.bpf.asm;

/** The eBPF registers: R0 return value, R1–R5 arguments (clobbered by calls), R6–R9 callee-saved, R10 frame pointer. */
public enum Reg {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

    /** Read-only frame pointer. */
    public static final Reg FP = R10;

    int number() {
        return ordinal();
    }
}
