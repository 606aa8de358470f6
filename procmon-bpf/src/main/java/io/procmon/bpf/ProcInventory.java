package io.procmon.bpf;

import io.procmon.bpf.kernel.SymbolicLinks;
import io.procmon.core.Arguments;
import io.procmon.core.EntityIds;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes running now, read from {@code /proc}: one {@link ProcessEvent.Kind#RUNNING} event
 * each, with what the kernel's records would say of it (its entity id among them, from the same
 * start tick). Every file is read within a bound, and what a process chose (its name, command
 * line, path) is kept as bytes and made printable as any name is. Kernel threads and zombies are
 * left out: neither runs a program.
 */
final class ProcInventory {
    /** {@code PF_KTHREAD} in field 9 of {@code /proc/PID/stat}. */
    private static final long PF_KTHREAD = 0x00200000L;
    /** A stat line is a few hundred bytes; a name of 15 bytes cannot make it longer than this. */
    private static final int STAT_MAX = 4096;
    private static final int CGROUP_FILE_MAX = 16 * 1024;
    private static final int EXE_MAX = io.procmon.bpf.prog.EventLayout.EXE_SIZE - 1;

    private final Path proc;
    private final String bootId;
    private final int argsMax;
    private final boolean executables;
    /** The v1 controller whose cgroup names a process whose v2 cgroup is the root, or null; cgroups are not read when {@code cgroups} is false. */
    private final boolean cgroups;
    private final String v1Controller;

    ProcInventory(Path proc, String bootId, int argsMax, boolean executables, boolean cgroups, String v1Controller) {
        this.proc = proc;
        this.bootId = bootId;
        this.argsMax = argsMax;
        this.executables = executables;
        this.cgroups = cgroups;
        this.v1Controller = v1Controller;
    }

    /** What {@code /proc/PID/stat} says, past the name in parentheses (which may hold anything). */
    record Stat(byte[] comm, char state, int ppid, int ttyNr, long flags, long startTicks) {
    }

    /** A command line's first bytes, as many as are kept, and its whole length. */
    record Cmdline(byte[] kept, long totalBytes) {
    }

    /**
     * Every process running now, ready to build ({@code clockOffsetNanos} turns their boot-clock
     * start into wall-clock time). Processes that end during the walk are left out.
     */
    List<ProcessEvent.Builder> scan(long clockOffsetNanos) {
        Map<Integer, Stat> stats = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                Stat s = stat(dir);
                if (s != null) {
                    stats.put(Integer.parseInt(dir.getFileName().toString()), s);
                }
            }
        } catch (IOException e) {
            return List.of(); // no /proc: no inventory
        }
        List<ProcessEvent.Builder> running = new ArrayList<>(stats.size());
        for (Map.Entry<Integer, Stat> entry : stats.entrySet()) {
            int pid = entry.getKey();
            Stat s = entry.getValue();
            if ((s.flags & PF_KTHREAD) != 0 || s.state == 'Z' || s.state == 'X') {
                continue;
            }
            Path dir = proc.resolve(Integer.toString(pid));
            long[] uids = uids(dir);
            if (uids == null) {
                continue; // ended meanwhile
            }
            Stat parent = stats.get(s.ppid);
            ProcessEvent.Builder b = ProcessEvent.builder()
                    .kind(ProcessEvent.Kind.RUNNING)
                    .pid(pid)
                    .ppid(s.ppid)
                    .uid((int) uids[0])
                    .effectiveUid((int) uids[1])
                    .commandBytes(s.comm)
                    .execTimeNanos(s.startTicks * EntityIds.NANOS_PER_TICK)
                    .starts(s.startTicks * EntityIds.NANOS_PER_TICK,
                            parent == null ? 0 : parent.startTicks * EntityIds.NANOS_PER_TICK)
                    .bootId(bootId)
                    .login(id(dir.resolve("loginuid")), id(dir.resolve("sessionid")))
                    .tty(ttyName(s.ttyNr))
                    .clockOffsetNanos(clockOffsetNanos);
            if (argsMax > 0) {
                arguments(dir, b);
            }
            if (executables) {
                SymbolicLinks.Target exe = SymbolicLinks.read(dir.resolve("exe").toString(), EXE_MAX);
                if (exe != null) {
                    b.executable(io.procmon.core.CommandNames.decode(exe.bytes())).executableTruncated(exe.truncated());
                }
            }
            if (cgroups) {
                String path = cgroupPath(dir);
                if (path != null) {
                    b.cgroup(0, path);
                }
            }
            running.add(b);
        }
        return running;
    }

    private static boolean isPid(String name) {
        if (name.isEmpty() || name.length() > 10) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static byte[] read(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(max); // procfs files report size 0: read, never stat
        }
    }

    /** A process's {@code stat}; null when it ended meanwhile or the file is not what procfs writes. */
    static Stat stat(Path dir) {
        try {
            return parseStat(read(dir.resolve("stat"), STAT_MAX));
        } catch (IOException e) {
            return null;
        }
    }

    /** A {@code stat} line, split after the last ')' (a name may hold parentheses and spaces); null when malformed. */
    static Stat parseStat(byte[] line) {
        try {
            int open = indexOf(line, (byte) '(', 0);
            int close = lastIndexOf(line, (byte) ')');
            if (open < 0 || close < open) {
                return null;
            }
            byte[] comm = java.util.Arrays.copyOfRange(line, open + 1, close);
            String[] f = new String(line, close + 2, Math.max(0, line.length - close - 2), StandardCharsets.US_ASCII).strip().split(" ");
            return new Stat(comm, f[0].charAt(0), Integer.parseInt(f[1]), Integer.parseInt(f[4]), Long.parseUnsignedLong(f[6]),
                    Long.parseLong(f[19]));
        } catch (RuntimeException e) {
            return null; // not the layout procfs writes
        }
    }

    /** Real and effective uid, from the {@code Uid:} line of {@code status}; null when unreadable. */
    private static long[] uids(Path dir) {
        try {
            String status = new String(read(dir.resolve("status"), 8192), StandardCharsets.UTF_8);
            for (String line : status.split("\n")) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).strip().split("\\s+");
                    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
                }
            }
        } catch (IOException | RuntimeException e) {
            // ended meanwhile
        }
        return null;
    }

    /** {@code loginuid} or {@code sessionid}: a number, 4294967295 (unset) read as unknown, as the kernel's records. */
    private static int id(Path file) {
        try {
            long id = Long.parseLong(new String(read(file, 32), StandardCharsets.US_ASCII).strip());
            return id >= 0 && id < 0xffffffffL ? (int) id : ProcessEvent.ID_UNKNOWN;
        } catch (IOException | RuntimeException e) {
            return ProcessEvent.ID_UNKNOWN; // a kernel without audit has neither file
        }
    }

    private void arguments(Path dir, ProcessEvent.Builder b) {
        try {
            Cmdline c = cmdline(dir, argsMax);
            b.arguments(Arguments.fromCmdline(c.kept(), c.totalBytes()));
        } catch (IOException | RuntimeException e) {
            b.argumentsMissing();
        }
    }

    /** A process's {@code cmdline}, its first {@code max} bytes kept and the rest only counted. */
    static Cmdline cmdline(Path dir, int max) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve("cmdline"))) {
            byte[] kept = in.readNBytes(max); // a command line may be megabytes: only what is kept is read
            return new Cmdline(kept, kept.length + in.transferTo(java.io.OutputStream.nullOutputStream()));
        }
    }

    /** The v2 cgroup, or where it is the root, the v1 controller's: as the kernel's records take it. */
    private String cgroupPath(Path dir) {
        try {
            String v2 = null;
            String v1 = null;
            for (String line : new String(read(dir.resolve("cgroup"), CGROUP_FILE_MAX), StandardCharsets.UTF_8).split("\n")) {
                int first = line.indexOf(':');
                int second = line.indexOf(':', first + 1);
                if (first < 0 || second < 0) {
                    continue;
                }
                String controllers = line.substring(first + 1, second);
                String path = line.substring(second + 1);
                if (controllers.isEmpty()) {
                    v2 = path;
                } else if (v1Controller != null && java.util.Arrays.asList(controllers.split(",")).contains(v1Controller)) {
                    v1 = path;
                }
            }
            return v2 != null && !v2.equals("/") || v1 == null ? v2 : v1;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The terminal {@code tty_nr} names, as {@code /dev} does: {@code pts/N} (majors 136 to 143),
     * {@code ttyN} and {@code ttySN} (major 4), else the device's own name from sysfs; null for none.
     */
    static String ttyName(int ttyNr) {
        if (ttyNr == 0) {
            return null;
        }
        int major = (ttyNr >>> 8) & 0xfff;
        int minor = (ttyNr & 0xff) | ((ttyNr >>> 12) & 0xfff00);
        if (major >= 136 && major <= 143) {
            return "pts/" + ((major - 136) * 256 + minor);
        }
        if (major == 4) {
            return minor < 64 ? "tty" + minor : "ttyS" + (minor - 64);
        }
        try {
            for (String line : Files.readAllLines(Path.of("/sys/dev/char/" + major + ":" + minor + "/uevent"))) {
                if (line.startsWith("DEVNAME=") && line.length() < 80) {
                    return io.procmon.core.CommandNames.decode(line.substring(8).getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no such device any more
        }
        return null;
    }

    private static int indexOf(byte[] b, byte value, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] b, byte value) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
