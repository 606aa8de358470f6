package io.procmon.bpf;

import io.procmon.bpf.prog.EventLayout.ArgsRecord;
import io.procmon.bpf.prog.EventLayout.ReleaseRecord;
import io.procmon.core.Arguments;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
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
    static final long TICK_NANOS = io.procmon.core.EntityIds.NANOS_PER_TICK;

    /**
     * The most argument bytes held for processes still running: any user can run thousands of
     * processes with 32 KiB command lines, and exits the kernel filters never claim theirs.
     */
    static final long DEFAULT_HELD_BYTES = 32L << 20;

    private final int maxBytes;
    private final int capacity;
    private final long heldBytesMax;
    private long heldBytes;
    /** Bytes of the command lines taken when monitoring started (once, within a bound of their own). */
    private long olderBytes;
    private long evicted;
    private final LinkedHashMap<Integer, ArgsRecord> byPid = new LinkedHashMap<>(1024, 0.75f, false);
    private final Map<Integer, Older> older = new HashMap<>();
    private final List<Parked> parked = new ArrayList<>();
    /** Releases that came before the arguments they release (another CPU's ring): applied after one more read. */
    private final List<Released> released = new ArrayList<>();
    private long missing;

    private record Older(long startNanos, Arguments arguments) {
    }

    private record Parked(ProcessEvent.Builder event, int pid, long execNanos, long exitNanos) {
    }

    private record Released(int pid, long execNanos, long exitNanos) {
    }

    ArgsJoiner(int maxBytes, int capacity) {
        this(maxBytes, capacity, DEFAULT_HELD_BYTES);
    }

    /** @param heldBytesMax the most argument bytes held at once; the eldest are let go beyond it */
    ArgsJoiner(int maxBytes, int capacity, long heldBytesMax) {
        this.maxBytes = maxBytes;
        this.capacity = capacity;
        this.heldBytesMax = heldBytesMax;
    }

    /** Remembers the command lines of the processes running now (call right after attaching). */
    void snapshotRunning() {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try {
                    int pid = Integer.parseInt(proc.getFileName().toString());
                    ProcInventory.Stat stat = ProcInventory.stat(proc);
                    if (stat == null) {
                        continue; // gone meanwhile
                    }
                    ProcInventory.Cmdline cmdline = ProcInventory.cmdline(proc, maxBytes);
                    if (olderBytes + cmdline.kept().length > heldBytesMax) {
                        evicted++; // within the same bound as the arguments of later processes
                        continue;
                    }
                    olderBytes += cmdline.kept().length;
                    older.put(pid, new Older(stat.startTicks() * TICK_NANOS, Arguments.fromCmdline(cmdline.kept(), cmdline.totalBytes())));
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: older processes get no arguments, and say so
        }
    }

    void onArgs(ArgsRecord record) {
        ArgsRecord held = byPid.get(record.pid());
        if (held != null && held.execNanos() > record.execNanos()) {
            // A re-exec of the same process (jspawnhelper, then the program) whose records came
            // through different CPUs' rings in the other order: the later exec's arguments stay.
            return;
        }
        ArgsRecord replaced = byPid.put(record.pid(), record);
        if (replaced != null) {
            heldBytes -= replaced.bytes().length;
        }
        heldBytes += record.bytes().length;
        // Bounded in entries and in bytes: the eldest go first (their exits then say "no arguments").
        for (var it = byPid.values().iterator(); it.hasNext() && (byPid.size() > capacity || heldBytes > heldBytesMax); ) {
            heldBytes -= it.next().bytes().length;
            it.remove();
            evicted++;
        }
    }

    /** Argument records let go to stay within the bounds, before their process ended. */
    long evicted() {
        return evicted;
    }

    /** Argument bytes held now. */
    long heldBytes() {
        return heldBytes;
    }

    /**
     * Gives the event its arguments when they are here; otherwise parks it and returns false.
     * A process older than the monitor ({@code noStart}) is never parked. Arguments whose program
     * is not the one the process ended as ({@code comm}) may be a first exec's, the last exec's
     * record still in another CPU's ring (a process started from Java execs jspawnhelper, then the
     * program): that exit waits for the next read too, and then takes the latest exec's.
     */
    boolean complete(ProcessEvent.Builder event, int pid, long execNanos, long exitNanos, boolean noStart, byte[] comm) {
        if (noStart) {
            Older o = older.remove(pid);
            if (o != null && Math.abs(o.startNanos - execNanos) <= 2 * TICK_NANOS) {
                event.arguments(o.arguments);
            } else {
                markMissing(event);
            }
            return true;
        }
        ArgsRecord r = byPid.get(pid);
        if (matches(r, execNanos, exitNanos) && namesProgram(r.bytes(), comm) && take(event, pid, execNanos, exitNanos)) {
            return true;
        }
        parked.add(new Parked(event, pid, execNanos, exitNanos));
        return false;
    }

    /**
     * Gives an exec record the arguments of that exec, which its program sent just before it (so
     * they were read first), and leaves them for the exit; without them (evicted, or their record
     * lost and counted) the record says they are missing.
     */
    void attachToExec(ProcessEvent.Builder event, int pid, long execNanos) {
        ArgsRecord r = byPid.get(pid);
        if (r != null && r.execNanos() == execNanos) {
            event.arguments(Arguments.fromCmdline(r.bytes(), r.totalBytes()));
        } else {
            event.argumentsMissing(); // not counted: the exit counts its own, once
        }
    }

    boolean hasParked() {
        return !parked.isEmpty() || !released.isEmpty();
    }

    /**
     * The kernel dropped this process's exit (a filter such as {@code --failed}): its arguments
     * are let go now rather than held until evicted. When they have not come yet, they are let go
     * after the rings were read once more.
     */
    void release(ReleaseRecord r) {
        if (r.noStartRecord()) {
            older.remove(r.pid());
        } else if (!drop(r.pid(), r.execNanos(), r.exitNanos())) {
            released.add(new Released(r.pid(), r.execNanos(), r.exitNanos()));
        }
    }

    private boolean drop(int pid, long execNanos, long exitNanos) {
        ArgsRecord r = byPid.get(pid);
        if (!matches(r, execNanos, exitNanos)) {
            return false;
        }
        byPid.remove(pid);
        heldBytes -= r.bytes().length;
        return true;
    }

    /** After the rings were read once more: completes every parked exit, with or without arguments. */
    void releaseParked(Consumer<ProcessEvent> out) {
        for (Released r : released) {
            drop(r.pid, r.execNanos, r.exitNanos);
        }
        released.clear();
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

    /** This process's exec (not a later process's that reused the pid): between its start and its end. */
    private static boolean matches(ArgsRecord r, long execNanos, long exitNanos) {
        return r != null && r.execNanos() >= execNanos && r.execNanos() <= exitNanos;
    }

    /**
     * Whether argv[0]'s last path component, cut as the kernel cuts a name (15 bytes), is the
     * process's name at exit. Not for a script run by its interpreter, or a program started under
     * another argv[0]: those only wait one read more.
     */
    static boolean namesProgram(byte[] cmdline, byte[] comm) {
        int end = 0;
        while (end < cmdline.length && cmdline[end] != 0) {
            end++;
        }
        int start = end;
        while (start > 0 && cmdline[start - 1] != '/') {
            start--;
        }
        int length = Math.min(end - start, 15);
        return length == comm.length && java.util.Arrays.equals(cmdline, start, start + length, comm, 0, comm.length);
    }

    private boolean take(ProcessEvent.Builder event, int pid, long execNanos, long exitNanos) {
        ArgsRecord r = byPid.get(pid);
        if (!drop(pid, execNanos, exitNanos)) {
            return false;
        }
        event.arguments(Arguments.fromCmdline(r.bytes(), r.totalBytes()));
        return true;
    }

    private void markMissing(ProcessEvent.Builder event) {
        missing++;
        event.argumentsMissing();
    }
}
