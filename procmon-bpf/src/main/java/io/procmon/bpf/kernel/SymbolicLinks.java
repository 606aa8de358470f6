package io.procmon.bpf.kernel;

import java.util.Arrays;

/** A symbolic link's target as the kernel keeps it: bytes, which need not be UTF-8 (Java's paths would decode them). */
public final class SymbolicLinks {
    private SymbolicLinks() {
    }

    /**
     * The first {@code max} bytes of the link's target, and whether it was longer; null when the
     * link cannot be read (gone, not a link, not permitted).
     */
    public static Target read(String path, int max) {
        byte[] buf = new byte[max + 1];
        long n = LibC.INSTANCE.readlink(path, buf, buf.length);
        if (n < 0) {
            return null;
        }
        return new Target(Arrays.copyOf(buf, (int) Math.min(n, max)), n > max);
    }

    /** A target's bytes, cut at the bound when {@code truncated}. */
    public record Target(byte[] bytes, boolean truncated) {
    }
}
