package io.procmon.examples;

import io.procmon.bpf.BpfException;

/** The monitor's exit codes, one per kind of failure a user can act on. Documented in the README and --help. */
public enum ExitCode {
    OK(0, "stopped cleanly"),
    INTERNAL(1, "unexpected internal error (rerun with --debug)"),
    USAGE(2, "bad option or argument"),
    NOT_PERMITTED(3, "not root (needs CAP_BPF and CAP_PERFMON, and CAP_SYS_ADMIN where Debian's or Ubuntu's kernel has perf_event_paranoid above 2)"),
    LIBBCC_MISSING(4, "libbcc not installed (package libbpfcc)"),
    NO_BTF(5, "kernel without BTF (/sys/kernel/btf/vmlinux)"),
    NO_TRACEFS(6, "tracefs not mounted and not mountable"),
    OUTPUT(7, "output not writable, or a write failed"),
    KERNEL(8, "the kernel refused a program, map or attachment"),
    INPUT(9, "input not readable (procmon report, procmon collect --summarize), or a malformed row (its line is named)"),
    METRICS(10, "the metrics endpoint cannot listen (--metrics: address in use, or not this host's)"),
    READER_DIED(11, "reader of the kernel's events died while recording (nothing more would be recorded)"),
    FORCED(130, "second Ctrl+C: stopped without draining"),
    OUTPUT_CLOSED(141, "standard output closed by its reader (as by | head): stopped quietly");

    public final int code;
    public final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    static ExitCode of(BpfException.Reason reason) {
        switch (reason) {
            case NOT_PERMITTED:
                return NOT_PERMITTED;
            case LIBBCC_MISSING:
                return LIBBCC_MISSING;
            case NO_BTF:
                return NO_BTF;
            case NO_TRACEFS:
                return NO_TRACEFS;
            default:
                return KERNEL;
        }
    }

    /** The table shown in --help. Built at every start (picocli's model holds it): no Formatter, which costs a start ~10 ms. */
    static String table() {
        StringBuilder sb = new StringBuilder();
        for (ExitCode c : values()) {
            String code = Integer.toString(c.code);
            sb.append("  ").append(" ".repeat(Math.max(0, 3 - code.length()))).append(code).append("  ").append(c.meaning)
                    .append(System.lineSeparator());
        }
        return sb.toString();
    }
}
