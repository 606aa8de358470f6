package io.procmon.bpf;

import io.procmon.core.EventSourceException;

/**
 * The eBPF engine could not do something. The message reads "cannot OPERATION: cause" and is meant
 * for a user; {@link #reason()} says which kind of failure it is, so a CLI can choose an exit code.
 */
public class BpfException extends EventSourceException {
    /** Kinds of failure a user can act on differently. */
    public enum Reason {
        /** Not root, and lacking CAP_BPF and CAP_PERFMON. */
        NOT_PERMITTED,
        /** libbcc_bpf.so.0 could not be loaded. */
        LIBBCC_MISSING,
        /** The kernel publishes no BTF, or lacks a needed type. */
        NO_BTF,
        /** tracefs is not mounted and could not be mounted. */
        NO_TRACEFS,
        /** The verifier rejected a program; the message includes its log. */
        VERIFIER_REJECTED,
        /** Any other kernel or library failure. */
        KERNEL
    }

    private final Reason reason;

    public BpfException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BpfException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
