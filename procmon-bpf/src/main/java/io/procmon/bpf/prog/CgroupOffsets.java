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
        int subsys = KernelOffsets.addressable(btf, "css_set", "subsys");
        int v1CgrpId = -1;
        if (v1Controller != null) {
            long id = btf.enumValue(v1Controller + "_cgrp_id").orElse(-1);
            long slots = btf.member("css_set", "subsys").size() / 8;
            if (id >= slots || subsys + 8 * Math.max(id, 0) > Short.MAX_VALUE) {
                throw new BtfException(v1Controller + "_cgrp_id " + id + " is not a slot of css_set.subsys (" + slots + " slots)");
            }
            v1CgrpId = (int) id;
        }
        return new CgroupOffsets(
                KernelOffsets.sized(btf, "task_struct", "cgroups", 8),
                subsys,
                v1CgrpId,
                KernelOffsets.sized(btf, "cgroup_subsys_state", "cgroup", 8),
                KernelOffsets.sized(btf, "cgroup", "kn", 8),
                KernelOffsets.sized(btf, "kernfs_node", "id", 8),
                field(mkdir, "root"),
                field(mkdir, "id"),
                field(mkdir, "path"));
    }

    private static int field(TracepointFormat format, String name) {
        return format.offset(name).orElseThrow(() -> new BtfException(format.tracepoint() + " has no field " + name));
    }
}
