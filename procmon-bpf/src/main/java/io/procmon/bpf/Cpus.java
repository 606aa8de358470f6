package io.procmon.bpf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** CPU lists from sysfs ({@code 0-3,8-11} format). */
final class Cpus {
    private Cpus() {
    }

    static List<Integer> parse(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
            for (int cpu = from; cpu <= to; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    static List<Integer> read(String which) {
        Path file = Path.of("/sys/devices/system/cpu", which);
        try {
            return parse(ProcFiles.read(file));
        } catch (IOException | NumberFormatException e) {
            throw new BpfException(BpfException.Reason.KERNEL, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Number of slots a per-CPU map value has: highest possible CPU + 1. */
    static int possibleCount() {
        List<Integer> possible = read("possible");
        return possible.get(possible.size() - 1) + 1;
    }

    static List<Integer> online() {
        return read("online");
    }
}
