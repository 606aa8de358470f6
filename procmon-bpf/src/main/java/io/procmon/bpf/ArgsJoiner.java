package io.procmon.bpf;

import io.procmon.bpf.prog.EventLayout.ArgsRecord;
import io.procmon.core.Arguments;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Joins the arguments records the exec program sends with the exit events, on the reader thread.
 * The two travel through different CPUs' rings, so an exit can be read before its process's
 * arguments: such an exit is parked until the rings have been read once more (the arguments,
 * written at exec, are in their ring by then), and only then said to have none. Processes older
 * than the monitor take their command line from a snapshot of {@code /proc} made at start. Not
 * thread-safe.
 */
final class ArgsJoiner {
    /** /proc/PID/stat start times are in clock ticks (USER_HZ, 100 on Linux): 10 ms. */
    private static final long TICK_NANOS = 10_000_000L;

    private final int maxBytes;
    private final Map<Integer, ArgsRecord> byPid;
    private final Map<Integer, Older> older = new HashMap<>();
    private final List<Parked> parked = new ArrayList<>();
    private long missing;

    private record Older(long startNanos, Arguments arguments) {
    }

    private record Parked(ProcessEvent.Builder event, int pid, long execNanos, long exitNanos) {
    }

    ArgsJoiner(int maxBytes, int capacity) {
        this.maxBytes = maxBytes;
        this.byPid = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ArgsRecord> eldest) {
                return size() > capacity; // processes whose exit the kernel filtered never claim theirs
            }
        };
    }

    /** Remembers the command lines of the processes running now (call right after attaching). */
    void snapshotRunning() {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try {
                    int pid = Integer.parseInt(proc.getFileName().toString());
                    long start = startTicks(Files.readString(proc.resolve("stat"))) * TICK_NANOS;
                    byte[] all;
                    try (InputStream in = Files.newInputStream(proc.resolve("cmdline"))) {
                        all = in.readAllBytes();
                    }
                    byte[] kept = all.length > maxBytes ? java.util.Arrays.copyOf(all, maxBytes) : all;
                    older.put(pid, new Older(start, Arguments.fromCmdline(kept, all.length)));
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: older processes get no arguments, and say so
        }
    }

    void onArgs(ArgsRecord record) {
        byPid.put(record.pid(), record);
    }

    /**
     * Gives the event its arguments when they are here; otherwise parks it and returns false.
     * A process older than the monitor ({@code noStart}) is never parked.
     */
    boolean complete(ProcessEvent.Builder event, int pid, long execNanos, long exitNanos, boolean noStart) {
        if (noStart) {
            Older o = older.remove(pid);
            if (o != null && Math.abs(o.startNanos - execNanos) <= 2 * TICK_NANOS) {
                event.arguments(o.arguments);
            } else {
                markMissing(event);
            }
            return true;
        }
        if (take(event, pid, execNanos, exitNanos)) {
            return true;
        }
        parked.add(new Parked(event, pid, execNanos, exitNanos));
        return false;
    }

    boolean hasParked() {
        return !parked.isEmpty();
    }

    /** After the rings were read once more: completes every parked exit, with or without arguments. */
    void releaseParked(Consumer<ProcessEvent> out) {
        List<Parked> ready = new ArrayList<>(parked);
        parked.clear();
        for (Parked p : ready) {
            if (!take(p.event, p.pid, p.execNanos, p.exitNanos)) {
                markMissing(p.event);
            }
            out.accept(p.event.build());
        }
    }

    /** Exits whose arguments never came. */
    long missing() {
        return missing;
    }

    private boolean take(ProcessEvent.Builder event, int pid, long execNanos, long exitNanos) {
        ArgsRecord r = byPid.get(pid);
        // This process's exec (not a later process's that reused the pid): between its start and its end.
        if (r == null || r.execNanos() < execNanos || r.execNanos() > exitNanos) {
            return false;
        }
        byPid.remove(pid);
        event.arguments(Arguments.fromCmdline(r.bytes(), r.totalBytes()));
        return true;
    }

    private void markMissing(ProcessEvent.Builder event) {
        missing++;
        event.argumentsMissing();
    }

    /** Field 22 of /proc/PID/stat, after the command in parentheses (which may hold anything). */
    static long startTicks(String stat) {
        String rest = stat.substring(stat.lastIndexOf(')') + 2);
        return Long.parseLong(rest.split(" ")[19]);
    }
}
