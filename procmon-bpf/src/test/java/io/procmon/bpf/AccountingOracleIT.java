package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's own process accounting ({@code acct(2)}: one record per process, written when its
 * last thread exits) as the oracle for a real mixed workload, in both directions: every accounted
 * process of the workload's user that exec'd has exactly one procmon row, every row of that user
 * is such an accounted process, and processes that forked and never exec'd have none. Each row
 * agrees on pid, name, uid, parent at exit and exit status or signal, and its duration lies within
 * what the accounting allows: no longer than fork-to-exit, and for processes older than the
 * monitor (timed from their fork) no shorter.
 */
@BpfTest
class AccountingOracleIT {
    private static final int NOBODY = 65534;
    /** {@code ac_flag}: forked but never exec'd; procmon reports those only when older than itself. */
    private static final int AFORK = 0x01;
    /** {@code ACCT_VERSION} 3 records are 64 bytes. */
    private static final int RECORD = 64;

    interface LibC extends Library {
        int acct(String path);
    }

    record Accounted(int pid, int ppid, int uid, int exitCode, String comm, double elapsedMillis, int flags) {
    }

    @Test
    void everyAccountedProcessHasOneMatchingRow(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path script = dir.resolve("workload.sh");
        try (InputStream in = getClass().getResourceAsStream("/oracle-workload.sh")) {
            Files.copy(in, script);
        }
        Path pacct = dir.resolve("pacct");
        LibC libc = Native.load("c", LibC.class);

        // Older than the monitor: they end during the run, as restarted services do.
        List<Process> older = new ArrayList<>();
        for (String seconds : List.of("1.5", "2")) {
            older.add(asNobody("sleep", seconds).start());
        }
        Thread.sleep(200);
        RecordingListener recorder = new RecordingListener();
        List<Accounted> accounted;
        try (BpfEventSource source = new BpfEventSource(BpfOptions.builder().executablePaths(true).build())) {
            source.start(recorder);
            Files.createFile(pacct);
            assertThat(libc.acct(pacct.toString())).as("acct(2) on").isZero();
            try {
                Process workload = asNobody("sh", script.toString(), work.toString(),
                        Path.of(System.getProperty("java.home"), "bin", "java").toString())
                        .redirectErrorStream(true).start();
                String out = new String(workload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(workload.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(workload.exitValue()).as("workload: %s", out).isZero();
                for (Process p : older) {
                    p.waitFor();
                }
            } finally {
                libc.acct(null); // off, whatever happened
            }
            accounted = read(pacct);
            source.close(); // drains the rings: every row of the workload is in
        } finally {
            Files.deleteIfExists(pacct);
        }

        // By pid, in order of exit on both sides (the accounting writes at exit): pids may be reused.
        Map<Integer, List<ProcessEvent>> rows = new HashMap<>();
        for (ProcessEvent e : recorder.events) {
            if (e.uid() == NOBODY) {
                rows.computeIfAbsent(e.pid(), k -> new ArrayList<>()).add(e);
            }
        }
        rows.values().forEach(l -> l.sort(java.util.Comparator.comparingLong(ProcessEvent::exitTimeNanos)));
        Map<Integer, List<Accounted>> execd = new HashMap<>();
        java.util.Set<Integer> forkOnly = new java.util.HashSet<>();
        for (Accounted a : accounted) {
            if (a.uid() != NOBODY) {
                continue;
            }
            if ((a.flags() & AFORK) == 0) {
                execd.computeIfAbsent(a.pid(), k -> new ArrayList<>()).add(a);
            } else {
                forkOnly.add(a.pid());
            }
        }
        forkOnly.removeAll(execd.keySet());
        assertThat(execd.values().stream().mapToInt(List::size).sum()).as("accounted processes of the workload").isGreaterThan(40);
        assertThat(forkOnly).as("the workload's subshells fork without exec").isNotEmpty();
        assertThat(recorder.lost).isEmpty();
        assertThat(forkOnly).as("fork-only processes with a row").noneMatch(rows::containsKey);
        assertThat(rows.keySet()).as("pids of rows without an accounted exec'd process").isSubsetOf(execd.keySet());
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Map.Entry<Integer, List<Accounted>> byPid : execd.entrySet()) {
            List<ProcessEvent> mine = rows.getOrDefault(byPid.getKey(), List.of());
            if (mine.size() != byPid.getValue().size()) {
                problems.add(byPid.getValue() + ": " + mine.size() + " rows " + mine);
                continue;
            }
            for (int i = 0; i < mine.size(); i++) {
                Accounted a = byPid.getValue().get(i);
                ProcessEvent e = mine.get(i);
                names.add(e.command());
                int parentAtExit = e.parentAtExit().orElse(e.ppid());
                String status = (a.exitCode() & 0x7f) == 0 ? "exit " + ((a.exitCode() >> 8) & 0xff) : "signal " + (a.exitCode() & 0x7f);
                String procmonStatus = e.signal().isPresent() ? "signal " + e.signal().getAsInt() : "exit " + e.exitStatus().getAsInt();
                // ac_etime counts 10 ms ticks, rounded down: allow one tick. And the kernel takes it before
                // writing the accounting record, procmon's end after (do_exit: acct_process, then the
                // exit tracepoint): allow that write another tick, which an emulated guest needed (+0.5 ms).
                double millis = e.durationNanos() / 1e6;
                boolean notLonger = millis <= a.elapsedMillis() + 20.5;
                // Older than the monitor, a process is timed from its fork, as the accounting times it;
                // an exec'd one from its exec, later. Every sleep of the workload that ended by itself slept 0.3 s or more.
                boolean notShorter = millis > 0 && (!e.startedBeforeMonitoring() || millis >= a.elapsedMillis() - 0.5)
                        && (!e.command().equals("sleep") || e.signal().isPresent() || millis >= 300);
                if (!sameName(e, a) || parentAtExit != a.ppid() || !status.equals(procmonStatus) || !notLonger || !notShorter) {
                    problems.add(a + " vs " + e);
                }
            }
        }
        assertThat(rows.values().stream().filter(l -> l.stream().anyMatch(ProcessEvent::startedBeforeMonitoring)).count())
                .as("rows of the processes older than the monitor").isEqualTo(older.size());
        assertThat(problems).as("accounting records without one matching row").isEmpty();
        assertThat(names).as("the workload's parts are all there")
                .contains("make", "cc", "cc1", "as", "ld", "collect2", "sort", "java", "sleep");
    }

    /**
     * The accounting's name is the exiting thread's {@code comm}. Some kernels (6.18) write the
     * process's (its leader's) there, others (6.1) the name of whichever thread ended last, such
     * as a JVM's "Service Thread". Where they differ, procmon's name must be the one exec gave the
     * process: its executable's file name, cut to 15 bytes as the kernel cuts it.
     */
    private static boolean sameName(ProcessEvent e, Accounted a) {
        if (e.command().equals(a.comm())) {
            return true;
        }
        String exe = e.executable().map(p -> Path.of(p).getFileName().toString()).orElse("");
        byte[] name = exe.getBytes(StandardCharsets.UTF_8);
        return !exe.isEmpty() && e.command().equals(new String(name, 0, Math.min(15, name.length), StandardCharsets.UTF_8));
    }

    private static ProcessBuilder asNobody(String... command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }

    /** Parses {@code struct acct_v3} records (include/uapi/linux/acct.h). */
    private static List<Accounted> read(Path pacct) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pacct)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.remaining() % RECORD).as("whole acct_v3 records").isZero();
        List<Accounted> records = new ArrayList<>();
        for (int at = 0; at + RECORD <= b.limit(); at += RECORD) {
            assertThat(b.get(at + 1)).as("ac_version").isEqualTo((byte) 3);
            byte[] comm = new byte[16];
            b.get(at + 48, comm);
            int len = 0;
            while (len < comm.length && comm[len] != 0) {
                len++;
            }
            records.add(new Accounted(b.getInt(at + 16), b.getInt(at + 20), b.getInt(at + 8), b.getInt(at + 4),
                    new String(comm, 0, len, StandardCharsets.UTF_8), b.getFloat(at + 28) * 10.0, b.get(at) & 0xff));
        }
        return records;
    }
}
