package io.procmon.bpf.prog;

import io.procmon.bpf.btf.Btf;
import io.procmon.bpf.btf.BtfException;

/**
 * What the programs need to know to name a process's cgroups: the path from a task to a v1
 * controller's cgroup id ({@code task->cgroups->subsys[<controller>_cgrp_id]->cgroup->kn->id},
 * for hybrid hosts where the v2 id is the root for everything) from BTF, and the fields of the
 * {@code cgroup:cgroup_mkdir} tracepoint, whose program remembers every new cgroup's path.
 *
 * @param v1CgrpId index of the v1 controller in {@code css_set.subsys}, or -1 when no v1
 *     controller is used (then only the v2 id is taken)
 */
public record CgroupOffsets(int taskCgroups, int cssSetSubsys, int v1CgrpId, int cssCgroup, int cgroupKn,
        int kernfsNodeId, int mkdirRoot, int mkdirId, int mkdirPath) {

    /**
     * @throws BtfException naming what is missing
     */
    public static CgroupOffsets from(Btf btf, TracepointFormat mkdir, String v1Controller) {
        return new CgroupOffsets(
                btf.member("task_struct", "cgroups").offset(),
                btf.member("css_set", "subsys").offset(),
                v1Controller == null ? -1 : (int) btf.enumValue(v1Controller + "_cgrp_id").orElse(-1),
                btf.member("cgroup_subsys_state", "cgroup").offset(),
                btf.member("cgroup", "kn").offset(),
                sized(btf, "kernfs_node", "id", 8),
                field(mkdir, "root"),
                field(mkdir, "id"),
                field(mkdir, "path"));
    }

    private static int sized(Btf btf, String struct, String member, int size) {
        var m = btf.member(struct, member);
        if (m.size() != size) {
            throw new BtfException(struct + "." + member + " is " + m.size() + " bytes; procmon expects " + size);
        }
        return m.offset();
    }

    private static int field(TracepointFormat format, String name) {
        return format.offset(name).orElseThrow(() -> new BtfException(format.tracepoint() + " has no field " + name));
    }
}
