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
 * last thread exits) as the oracle for a real mixed workload: every accounted process of the
 * workload's user must have exactly one procmon row that agrees on pid, name, uid, parent at exit
 * and exit status or signal, and lasts no longer than the accounting's fork-to-exit time.
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
            Thread.sleep(300); // the last rows are in the ring by now
        } finally {
            Files.deleteIfExists(pacct);
        }

        Map<Integer, List<ProcessEvent>> rows = new HashMap<>();
        for (ProcessEvent e : recorder.events) {
            if (e.uid() == NOBODY) {
                rows.computeIfAbsent(e.pid(), k -> new ArrayList<>()).add(e);
            }
        }
        List<Accounted> expected = accounted.stream().filter(a -> a.uid() == NOBODY && (a.flags() & AFORK) == 0).toList();
        assertThat(expected).as("accounted processes of the workload").hasSizeGreaterThan(40);
        assertThat(recorder.lost).isEmpty();
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Accounted a : expected) {
            List<ProcessEvent> mine = rows.getOrDefault(a.pid(), List.of());
            if (mine.size() != 1) {
                problems.add(a + ": " + mine.size() + " rows");
                continue;
            }
            ProcessEvent e = mine.get(0);
            names.add(e.command());
            int parentAtExit = e.parentAtExit().orElse(e.ppid());
            String status = (a.exitCode() & 0x7f) == 0 ? "exit " + ((a.exitCode() >> 8) & 0xff) : "signal " + (a.exitCode() & 0x7f);
            String procmonStatus = e.signal().isPresent() ? "signal " + e.signal().getAsInt() : "exit " + e.exitStatus().getAsInt();
            // ac_etime counts 10 ms ticks, rounded down: allow one tick. And the kernel takes it before
            // writing the accounting record, procmon's end after (do_exit: acct_process, then the
            // exit tracepoint): allow that write another tick, which an emulated guest needed (+0.5 ms).
            boolean durationOk = e.durationNanos() / 1e6 <= a.elapsedMillis() + 20.5;
            if (!sameName(e, a) || parentAtExit != a.ppid() || !status.equals(procmonStatus) || !durationOk) {
                problems.add(a + " vs " + e);
            }
        }
        assertThat(problems).as("accounting records without one matching row (of %d)", expected.size()).isEmpty();
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
