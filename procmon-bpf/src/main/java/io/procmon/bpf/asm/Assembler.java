package io.procmon.bpf.asm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an eBPF program instruction by instruction, cilium/ebpf style: jumps go to named labels
 * and map references are symbolic until {@link #assemble(Map)} binds them to file descriptors.
 *
 * <pre>{@code
 * Assembler a = new Assembler();
 * a.call(Helper.KTIME_GET_NS)
 *  .jump(JumpOp.EQ, Reg.R0, 0, "out")
 *  .label("out").mov64(Reg.R0, 0).exit();
 * byte[] bytecode = a.assemble(Map.of());
 * }</pre>
 */
public final class Assembler {
    private static final int CLASS_LD = 0x00;
    private static final int CLASS_LDX = 0x01;
    private static final int CLASS_ST = 0x02;
    private static final int CLASS_STX = 0x03;
    private static final int CLASS_ALU = 0x04;
    private static final int CLASS_JMP = 0x05;
    private static final int CLASS_JMP32 = 0x06;
    private static final int CLASS_ALU64 = 0x07;
    private static final int MODE_MEM = 0x60;
    private static final int MODE_ATOMIC = 0xc0;
    /** {@code BPF_XCHG}: {@code BPF_FETCH | 0xe0}; Linux 5.12 and later. */
    private static final int ATOMIC_XCHG = 0xe1;
    private static final int SRC_K = 0x00;
    private static final int SRC_X = 0x08;
    private static final int OP_JA = 0x00;
    private static final int OP_CALL = 0x80;
    private static final int OP_EXIT = 0x90;
    /** {@code BPF_PSEUDO_MAP_FD}: the immediate of a wide load is a map fd. */
    private static final int PSEUDO_MAP_FD = 1;

    private final List<Instruction> instructions = new ArrayList<>();
    /** label → slot index it marks. */
    private final Map<String, Integer> labels = new HashMap<>();
    private int slots;

    private Assembler add(int opcode, Reg dst, Reg src, int offset, long imm, String label, String map) {
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset out of 16-bit range: " + offset);
        }
        Instruction insn = new Instruction(opcode, dst.number(), src.number(), offset, imm, label, map);
        instructions.add(insn);
        slots += insn.slots();
        return this;
    }

    private static int imm32(long imm) {
        if (imm < Integer.MIN_VALUE || imm > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("immediate out of 32-bit range: " + imm + " (use loadImm64)");
        }
        return (int) imm;
    }

    /** Marks the next instruction with {@code name}. */
    public Assembler label(String name) {
        if (labels.putIfAbsent(name, slots) != null) {
            throw new IllegalArgumentException("label defined twice: " + name);
        }
        return this;
    }

    /** {@code dst = src} (64-bit). */
    public Assembler mov64(Reg dst, Reg src) {
        return alu64(AluOp.MOV, dst, src);
    }

    /** {@code dst = imm}, the 32-bit immediate sign-extended to 64 bits. */
    public Assembler mov64(Reg dst, int imm) {
        return alu64(AluOp.MOV, dst, imm);
    }

    /** {@code dst = (u32) imm}: the upper half is zeroed, so {@code -1} gives 0xffffffff. */
    public Assembler mov32(Reg dst, int imm) {
        return add(CLASS_ALU | SRC_K | AluOp.MOV.code, dst, Reg.R0, 0, imm, null, null);
    }

    /** {@code dst op= src} on 64 bits. */
    public Assembler alu64(AluOp op, Reg dst, Reg src) {
        return add(CLASS_ALU64 | SRC_X | op.code, dst, src, 0, 0, null, null);
    }

    /** {@code dst op= imm} on 64 bits (the immediate is sign-extended). */
    public Assembler alu64(AluOp op, Reg dst, int imm) {
        return add(CLASS_ALU64 | SRC_K | op.code, dst, Reg.R0, 0, imm, null, null);
    }

    /** {@code dst op= imm} on the low 32 bits, zeroing the upper half. */
    public Assembler alu32(AluOp op, Reg dst, int imm) {
        return add(CLASS_ALU | SRC_K | op.code, dst, Reg.R0, 0, imm, null, null);
    }

    /** {@code dst = imm64} (two slots). */
    public Assembler loadImm64(Reg dst, long imm) {
        return add(Instruction.LD_IMM64, dst, Reg.R0, 0, imm, null, null);
    }

    /** {@code dst = &map}: the map's fd, bound at assembly (two slots). */
    public Assembler loadMap(Reg dst, String map) {
        return add(Instruction.LD_IMM64, dst, Reg.values()[PSEUDO_MAP_FD], 0, 0, null, map);
    }

    /** {@code dst = *(size *)(src + offset)}. */
    public Assembler load(Size size, Reg dst, Reg src, int offset) {
        return add(CLASS_LDX | MODE_MEM | size.code, dst, src, offset, 0, null, null);
    }

    /** {@code *(size *)(dst + offset) = src}. */
    public Assembler store(Size size, Reg dst, int offset, Reg src) {
        return add(CLASS_STX | MODE_MEM | size.code, dst, src, offset, 0, null, null);
    }

    /**
     * {@code src = xchg((size *)(dst + offset), src)}: atomic and fully ordered, as the kernel's
     * {@code atomic_xchg} (Linux 5.12 and later; earlier verifiers refuse it). {@code size} is
     * {@link Size#W} or {@link Size#DW}.
     */
    public Assembler exchange(Size size, Reg dst, int offset, Reg src) {
        if (size != Size.W && size != Size.DW) {
            throw new IllegalArgumentException("atomic exchange of " + size + ": only W and DW exist");
        }
        return add(CLASS_STX | MODE_ATOMIC | size.code, dst, src, offset, ATOMIC_XCHG, null, null);
    }

    /** {@code *(size *)(dst + offset) = imm}. */
    public Assembler storeImm(Size size, Reg dst, int offset, int imm) {
        return add(CLASS_ST | MODE_MEM | size.code, dst, Reg.R0, offset, imm, null, null);
    }

    /** {@code if (dst op imm) goto label}, comparing 64 bits (the immediate sign-extended). */
    public Assembler jump(JumpOp op, Reg dst, int imm, String label) {
        return add(CLASS_JMP | SRC_K | op.code, dst, Reg.R0, 0, imm, label, null);
    }

    /** {@code if (dst op src) goto label}, comparing 64 bits. */
    public Assembler jump(JumpOp op, Reg dst, Reg src, String label) {
        return add(CLASS_JMP | SRC_X | op.code, dst, src, 0, 0, label, null);
    }

    /** {@code if ((u32) dst op imm) goto label}, comparing the low 32 bits only. */
    public Assembler jump32(JumpOp op, Reg dst, int imm, String label) {
        return add(CLASS_JMP32 | SRC_K | op.code, dst, Reg.R0, 0, imm, label, null);
    }

    /** {@code goto label}. */
    public Assembler ja(String label) {
        return add(CLASS_JMP | OP_JA, Reg.R0, Reg.R0, 0, 0, label, null);
    }

    /** Calls a kernel helper; arguments in R1–R5, result in R0, R1–R5 clobbered. */
    public Assembler call(Helper helper) {
        return add(CLASS_JMP | OP_CALL, Reg.R0, Reg.R0, 0, helper.id(), null, null);
    }

    /** Returns R0. */
    public Assembler exit() {
        return add(CLASS_JMP | OP_EXIT, Reg.R0, Reg.R0, 0, 0, null, null);
    }

    /** The instructions so far, labels and maps unresolved. */
    public List<Instruction> instructions() {
        return List.copyOf(instructions);
    }

    /** Number of 8-byte slots so far. */
    public int slots() {
        return slots;
    }

    /**
     * Encodes the program (little-endian, 8 bytes a slot), resolving labels to relative offsets and
     * map names to the given fds.
     *
     * @throws IllegalStateException for an undefined label or an unbound map
     */
    public byte[] assemble(Map<String, Integer> mapFds) {
        ByteBuffer out = ByteBuffer.allocate(slots * 8).order(ByteOrder.LITTLE_ENDIAN);
        int slot = 0;
        for (Instruction insn : instructions) {
            int offset = insn.offset();
            long imm = insn.imm();
            if (insn.jumpLabel() != null) {
                Integer target = labels.get(insn.jumpLabel());
                if (target == null) {
                    throw new IllegalStateException("jump to undefined label: " + insn.jumpLabel());
                }
                offset = target - (slot + 1);
            }
            if (insn.mapName() != null) {
                Integer fd = mapFds.get(insn.mapName());
                if (fd == null) {
                    throw new IllegalStateException("program references map '" + insn.mapName() + "' but no fd was given");
                }
                imm = fd;
            }
            out.put((byte) insn.opcode());
            out.put((byte) ((insn.src() << 4) | insn.dst()));
            out.putShort((short) offset);
            if (insn.isWide()) {
                out.putInt((int) imm);
                out.putInt(0); // second slot: no opcode, registers or offset; then the high half
                out.putInt((int) (imm >>> 32));
            } else {
                out.putInt(imm32(imm));
            }
            slot += insn.slots();
        }
        return out.array();
    }
}
