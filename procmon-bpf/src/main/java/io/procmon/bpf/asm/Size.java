package io.procmon.bpf.asm;

/** Width of a memory access. */
public enum Size {
    /** 1 byte. */
    B(0x10, 1),
    /** 2 bytes. */
    H(0x08, 2),
    /** 4 bytes. */
    W(0x00, 4),
    /** 8 bytes. */
    DW(0x18, 8);

    final int code;
    private final int bytes;

    Size(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The access of exactly {@code bytes} bytes. */
    public static Size ofBytes(int bytes) {
        for (Size s : values()) {
            if (s.bytes == bytes) {
                return s;
            }
        }
        throw new IllegalArgumentException("no BPF access of " + bytes + " bytes");
    }
}
