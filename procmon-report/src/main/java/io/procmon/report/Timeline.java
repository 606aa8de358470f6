package io.procmon.report;

import io.procmon.report.Recording.Proc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The flame-chart layout of a process tree: each process is a bar on one row, its children's
 * subtrees packed on the rows below it, siblings sharing rows when their subtrees do not overlap
 * in time. Rows are therefore time-disjoint: no two bars on one row overlap.
 */
public final class Timeline {
    private final List<Proc> procs;
    private final int[] parent;
    private final int[] row;
    private final int rows;

    private Timeline(List<Proc> procs, int[] parent, int[] row, int rows) {
        this.procs = procs;
        this.parent = parent;
        this.row = row;
        this.rows = rows;
    }

    /** The index of each process's parent in the list, or -1 (its parent was not recorded). */
    public int parentOf(int i) {
        return parent[i];
    }

    public int rowOf(int i) {
        return row[i];
    }

    public int rows() {
        return rows;
    }

    public List<Proc> processes() {
        return procs;
    }

    /**
     * Lays out {@code procs}. A parent is the process whose entity id is the child's parent entity id;
     * for a child recorded without one, the process of the same host with the ppid's pid that was
     * alive when the child started. Either way a parent is alive at the child's start.
     */
    public static Timeline layout(List<Proc> procs) {
        int n = procs.size();
        // pid -> indices by start, to resolve reused pids.
        Map<Integer, List<Integer>> byPid = new HashMap<>();
        for (int i = 0; i < n; i++) {
            byPid.computeIfAbsent(procs.get(i).pid(), k -> new ArrayList<>()).add(i);
        }
        byPid.values().forEach(l -> l.sort(Comparator.comparingLong(i -> procs.get(i).startMicros())));
        Map<String, Integer> byEntity = new HashMap<>();
        for (int i = 0; i < n; i++) {
            if (!procs.get(i).entityId().isEmpty()) {
                byEntity.putIfAbsent(procs.get(i).entityId(), i);
            }
        }
        int[] parent = new int[n];
        List<List<Integer>> children = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            children.add(new ArrayList<>());
        }
        List<Integer> roots = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Proc c = procs.get(i);
            parent[i] = -1;
            List<Integer> candidates = byPid.get(c.ppid());
            if (!c.parentEntityId().isEmpty()) {
                Integer p = byEntity.get(c.parentEntityId());
                if (p != null && before(procs, p, i) && procs.get(p).endMicros() >= c.startMicros()) {
                    parent[i] = p;
                }
            } else if (candidates != null && c.ppid() != c.pid()) {
                for (int k = candidates.size() - 1; k >= 0; k--) {
                    Proc p = procs.get(candidates.get(k));
                    if (!p.host().equals(c.host())) {
                        continue; // a fleet's recording: the same pid on another host is another process
                    }
                    if (before(procs, candidates.get(k), i)) {
                        if (p.endMicros() >= c.startMicros()) {
                            parent[i] = candidates.get(k);
                        }
                        break;
                    }
                }
            }
            (parent[i] >= 0 ? children.get(parent[i]) : roots).add(i);
        }
        Comparator<Integer> byStart = Comparator.comparingLong(i -> procs.get(i).startMicros());
        roots.sort(byStart);
        children.forEach(l -> l.sort(byStart));

        int[] height = new int[n];
        long[] spanEnd = new long[n];
        int[] offset = new int[n]; // row of a subtree relative to its parent's first child row
        // Post-order without recursion: a chain of processes may be deep.
        int[] order = postOrder(roots, children, n);
        for (int i : order) {
            spanEnd[i] = procs.get(i).endMicros();
            height[i] = 1 + pack(children.get(i), procs, height, spanEnd, offset);
            for (int c : children.get(i)) {
                spanEnd[i] = Math.max(spanEnd[i], spanEnd[c]);
            }
        }
        int rows = pack(roots, procs, height, spanEnd, offset);
        int[] row = new int[n];
        // Pre-order: absolute rows from the offsets.
        int[] stack = new int[n];
        int top = 0;
        for (int r : roots) {
            row[r] = offset[r];
            stack[top++] = r;
        }
        while (top > 0) {
            int i = stack[--top];
            for (int c : children.get(i)) {
                row[c] = row[i] + 1 + offset[c];
                stack[top++] = c;
            }
        }
        return new Timeline(procs, parent, row, rows);
    }

    /** Packs subtrees (in start order) into the fewest rows; sets their offsets; returns the rows used. */
    private static int pack(List<Integer> subtrees, List<Proc> procs, int[] height, long[] spanEnd, int[] offset) {
        long[] rowEnd = new long[8];
        int used = 0;
        for (int s : subtrees) {
            long start = procs.get(s).startMicros();
            int h = height[s];
            int o = 0;
            search:
            while (true) {
                for (int r = o; r < o + h; r++) {
                    if (r < used && rowEnd[r] > start) {
                        o = r + 1;
                        continue search;
                    }
                }
                break;
            }
            if (o + h > rowEnd.length) {
                rowEnd = Arrays.copyOf(rowEnd, Math.max(rowEnd.length * 2, o + h));
            }
            for (int r = o; r < o + h; r++) {
                rowEnd[r] = Math.max(spanEnd[s], start + 1);
            }
            used = Math.max(used, o + h);
            offset[s] = o;
        }
        return used;
    }

    private static int[] postOrder(List<Integer> roots, List<List<Integer>> children, int n) {
        int[] out = new int[n];
        int count = 0;
        int[] stack = new int[n];
        int[] next = new int[n];
        int top = 0;
        for (int r : roots) {
            stack[top++] = r;
            while (top > 0) {
                int i = stack[top - 1];
                if (next[i] < children.get(i).size()) {
                    stack[top++] = children.get(i).get(next[i]++);
                } else {
                    out[count++] = i;
                    top--;
                }
            }
        }
        return Arrays.copyOf(out, count);
    }

    /**
     * Whether process {@code p} started before {@code c}, in one total order (the earlier in the
     * list first, at the same microsecond): so no recording, however made up, gives a cycle of parents.
     */
    private static boolean before(List<Proc> procs, int p, int c) {
        long ps = procs.get(p).startMicros();
        long cs = procs.get(c).startMicros();
        return ps < cs || ps == cs && p < c;
    }
}
