package io.procmon.bpf.kernel;

/** A program attached to a tracepoint; {@link #close()} detaches it. */
public final class TracepointLink implements AutoCloseable {
    private final String tracepoint;
    private int perfEventFd;

    private TracepointLink(String tracepoint, int perfEventFd) {
        this.tracepoint = tracepoint;
        this.perfEventFd = perfEventFd;
    }

    /**
     * Attaches {@code program} to {@code category:name}.
     *
     * @throws io.procmon.bpf.BpfException "attach tracepoint sched/sched_process_exec: ENOENT (...)"
     */
    public static TracepointLink attach(BpfProgram program, String category, String name) {
        String what = category + "/" + name;
        int fd = Errno.check(Libbcc.lib().bpf_attach_tracepoint(program.fd(), category, name), "attach tracepoint " + what);
        return new TracepointLink(what, fd);
    }

    public String tracepoint() {
        return tracepoint;
    }

    @Override
    public void close() {
        if (perfEventFd >= 0) {
            // Disables the perf event, then closes it: the program stops firing now.
            Libbcc.lib().bpf_close_perf_event_fd(perfEventFd);
            perfEventFd = -1;
        }
    }
}
