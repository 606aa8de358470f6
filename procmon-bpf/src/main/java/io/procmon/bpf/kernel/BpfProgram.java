package io.procmon.bpf.kernel;

import com.sun.jna.Memory;
import io.procmon.bpf.BpfException;

/** A loaded BPF program; {@link #close()} releases its fd. */
public final class BpfProgram implements AutoCloseable {
    /** {@code BPF_PROG_TYPE_TRACEPOINT}. */
    private static final int PROG_TYPE_TRACEPOINT = 5;
    private static final int LOG_SIZE = 4 << 20;

    private final String name;
    private int fd;

    private BpfProgram(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Loads a tracepoint program.
     *
     * @param bytecode encoded instructions, 8 bytes each
     * @param license {@code "GPL"} to use GPL-only helpers
     * @throws BpfException VERIFIER_REJECTED with the verifier's log, or KERNEL
     */
    public static BpfProgram loadTracepoint(String name, byte[] bytecode, String license) {
        if (bytecode.length == 0 || bytecode.length % 8 != 0) {
            throw new IllegalArgumentException("bytecode must be a non-empty multiple of 8 bytes: " + bytecode.length);
        }
        try (Memory insns = new Memory(bytecode.length); Memory log = new Memory(LOG_SIZE)) {
            insns.write(0, bytecode, 0, bytecode.length);
            log.setByte(0, (byte) 0);
            // prog_len is in bytes, not instructions (libbcc divides it itself).
            int rc = Libbcc.lib().bcc_prog_load(PROG_TYPE_TRACEPOINT, name, insns, bytecode.length, license, 0, 1, log,
                    LOG_SIZE);
            if (rc < 0) {
                int errno = Errno.of(rc);
                String verifierLog = log.getString(0).strip();
                String message = "cannot load program " + name + ": " + Errno.describe(errno);
                if (!verifierLog.isEmpty()) {
                    throw new BpfException(BpfException.Reason.VERIFIER_REJECTED,
                            message + "\nverifier log:\n" + verifierLog);
                }
                throw new BpfException(errno == 1 ? BpfException.Reason.NOT_PERMITTED : BpfException.Reason.KERNEL, message);
            }
            return new BpfProgram(name, rc);
        }
    }

    public int fd() {
        if (fd < 0) {
            throw new IllegalStateException("program " + name + " is closed");
        }
        return fd;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Libbcc.closeQuietly(fd);
            fd = -1;
        }
    }
}
