package io.procmon.bpf;

import io.procmon.bpf.kernel.BpfMap;
import io.procmon.bpf.prog.KernelMap;
import io.procmon.core.CommandNames;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cgroup ids to paths, for the reader thread. Seeded at start by walking the cgroup v2 hierarchy
 * and one v1 controller's (a cgroup's id is its directory's inode number); cgroups made later are
 * found in the map the {@code cgroup_mkdir} program fills, so a cgroup removed right after its
 * last process exited still has its path. The v2 cgroup is reported unless it is the root, as it
 * is for every process on hybrid hosts that do not use v2; then the v1 controller's cgroup is.
 * The v1 controller is the first mounted of {@link #V1_CONTROLLERS} (memory, as Tetragon, where
 * the kernel still offers it in v1). Not thread-safe.
 */
final class CgroupResolver {
    private static final Logger LOG = LoggerFactory.getLogger(CgroupResolver.class);
    private static final int CACHE_ENTRIES = 16_384;

    /** v1 controllers in order of preference; each has a {@code <name>_cgrp_id} in the kernel. */
    static final java.util.List<String> V1_CONTROLLERS = java.util.List.of("memory", "pids", "cpu", "cpuacct", "cpuset",
            "blkio", "devices", "freezer", "perf_event", "net_cls", "hugetlb");

    private BpfMap paths;
    private final Hierarchy v2;
    private final Hierarchy v1;
    private final String v1Controller;
    private final byte[] key = new byte[KernelMap.CgroupKey.SIZE];
    private final byte[] value = new byte[KernelMap.CGROUP_PATH_SIZE];

    /** A mounted hierarchy: its mount point, its id in the cgroup tracepoints, and known paths by id. */
    private static final class Hierarchy {
        final Path mount;
        final int id;
        final long rootId;
        final Map<Long, String> byId = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > CACHE_ENTRIES;
            }
        };

        Hierarchy(Path mount, int id) throws IOException {
            this.mount = mount;
            this.id = id;
            this.rootId = inode(mount);
        }
    }

    private CgroupResolver(Hierarchy v2, Hierarchy v1, String v1Controller) {
        this.v2 = v2;
        this.v1 = v1;
        this.v1Controller = v1Controller;
    }

    /** The v1 controller whose cgroups are used where v2 says nothing; null when none is mounted. */
    String v1Controller() {
        return v1Controller;
    }

    /** Finds the mounted hierarchies: the v2 one and the preferred v1 controller's. */
    static CgroupResolver discover() {
        Hierarchy v2 = null;
        Hierarchy v1 = null;
        String v1Name = null;
        int v1Rank = Integer.MAX_VALUE;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // id parent major:minor root mountpoint options ... - fstype source superoptions
                String[] halves = line.split(" - ", 2);
                String[] left = halves[0].split(" ");
                String[] right = halves.length > 1 ? halves[1].split(" ") : new String[0];
                if (left.length < 5 || right.length < 3 || !"/".equals(left[3])) {
                    continue;
                }
                Path mount = Path.of(unescape(left[4]));
                if (v2 == null && "cgroup2".equals(right[0])) {
                    v2 = new Hierarchy(mount, 0);
                } else if ("cgroup".equals(right[0])) {
                    for (String option : right[2].split(",")) {
                        int rank = V1_CONTROLLERS.indexOf(option);
                        if (rank >= 0 && rank < v1Rank) {
                            v1Rank = rank;
                            v1Name = option;
                            v1 = new Hierarchy(mount, hierarchyId(option));
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read the cgroup mounts: {}; cgroup paths will be missing", e.toString());
        }
        return new CgroupResolver(v2, v1, v1Name);
    }

    /** Walks the hierarchies; call after the mkdir program that fills {@code cgroupPaths} is attached. */
    void start(BpfMap cgroupPaths) {
        this.paths = cgroupPaths;
        walk(v2);
        walk(v1);
    }

    /** Sets the event's cgroup from the ids the exit program recorded. */
    void resolve(long v2Id, long v1Id, ProcessEvent.Builder event) {
        if (v2 != null && v2Id != 0 && v2Id != v2.rootId) {
            event.cgroup(v2Id, pathOf(v2, v2Id));
        } else if (v1 != null && v1Id != 0) {
            event.cgroup(v1Id, v1Id == v1.rootId ? "/" : pathOf(v1, v1Id));
        } else if (v2Id != 0) {
            event.cgroup(v2Id, v2 != null && v2Id == v2.rootId ? "/" : null);
        }
    }

    private String pathOf(Hierarchy h, long id) {
        String known = h.byId.get(id);
        if (known != null) {
            return known;
        }
        if (!paths.lookup(KernelMap.CgroupKey.pack(key, h.id, id), value)) {
            return null;
        }
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        // Any user with a delegated subtree names cgroups: none may write a control character.
        String path = CommandNames.escapeControls(new String(value, 0, end, StandardCharsets.UTF_8));
        h.byId.put(id, path);
        return path;
    }

    private void walk(Hierarchy h) {
        if (h == null) {
            return;
        }
        try (Stream<Path> dirs = Files.walk(h.mount)) {
            dirs.filter(Files::isDirectory).forEach(dir -> {
                try {
                    h.byId.put(inode(dir), CommandNames.escapeControls("/" + h.mount.relativize(dir)));
                } catch (IOException e) {
                    // removed while walking: the mkdir map or nothing will name it
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.debug("walking {}: {}", h.mount, e.toString());
        }
        h.byId.put(h.rootId, "/");
    }

    private static long inode(Path dir) throws IOException {
        return ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
    }

    /** A controller's hierarchy id, from /proc/cgroups (the id the cgroup tracepoints give as root). */
    private static int hierarchyId(String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cgroups"))) {
            String[] f = line.split("\\s+");
            if (f.length >= 2 && controller.equals(f[0])) {
                return Integer.parseInt(f[1]);
            }
        }
        return -1;
    }

    /** Mount points escape space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
