package io.procmon.bpf.asm;

/** The kernel helper functions procmon calls, by their stable numbers in {@code enum bpf_func_id}. */
public enum Helper {
    MAP_LOOKUP_ELEM(1),
    MAP_UPDATE_ELEM(2),
    MAP_DELETE_ELEM(3),
    KTIME_GET_NS(5),
    GET_SMP_PROCESSOR_ID(8),
    GET_CURRENT_PID_TGID(14),
    GET_CURRENT_UID_GID(15),
    GET_CURRENT_COMM(16),
    GET_CURRENT_CGROUP_ID(80),
    PERF_EVENT_OUTPUT(25),
    GET_CURRENT_TASK(35),
    PROBE_READ_USER(112),
    PROBE_READ_KERNEL(113),
    PROBE_READ_KERNEL_STR(115),
    KTIME_GET_BOOT_NS(125);

    private final int id;

    Helper(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }
}
