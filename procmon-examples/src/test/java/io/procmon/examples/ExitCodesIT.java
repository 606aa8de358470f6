package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.BpfTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every exit code of the README's table, produced by running the shipped command on a host made to
 * fail that way for real: a heap too small, a mount namespace where libbcc, BTF or tracefs are
 * hidden, capabilities and locked-memory limits taken away, a busy port, a second SIGINT. Each
 * failure is one line without a stack trace (unless --debug) and its own code.
 */
@BpfTest
class ExitCodesIT {
    /** Runs {@code procmon args} inside a private mount namespace after {@code setup} (a shell script). */
    private static RunningMonitor.Result inNamespace(String setup, List<String> after, String... args) throws Exception {
        List<String> wrapper = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                setup + " && exec \"$@\"", "sh"));
        wrapper.addAll(after);
        return RunningMonitor.run(List.of(args), Map.of(), wrapper);
    }

    private static void assertOneLine(RunningMonitor.Result r, int code, String line) {
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(code);
        assertThat(r.err().strip()).isEqualTo(line);
    }

    @Test
    void anErrorInsideTheJvmIsExit1AndOneLineUnlessDebugging(@TempDir Path dir) throws Exception {
        // An operator's heap setting too small for the kernel's BTF: the JVM throws an Error, not an Exception.
        Map<String, String> tinyHeap = RunningMonitor.env("PROCMON_JAVA_OPTS", "-Xmx4m -XX:+UseSerialGC");
        RunningMonitor.Result r = RunningMonitor.run(List.of("-o", dir.resolve("x.csv").toString()), tinyHeap, List.of());
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("procmon: internal error: java.lang.OutOfMemoryError").hasLineCount(1);
        RunningMonitor.Result debug = RunningMonitor.run(List.of("-o", dir.resolve("x.csv").toString(), "--debug"), tinyHeap, List.of());
        assertThat(debug.code()).isEqualTo(1);
        assertThat(debug.err()).contains("procmon: internal error: java.lang.OutOfMemoryError", "\tat ");
    }

    @Test
    void userMistakesAreExit2(@TempDir Path dir) throws Exception {
        RunningMonitor.Result bad = RunningMonitor.run("--no-such-option");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("procmon: Unknown option: '--no-such-option'\nTry 'procmon --help' for more information.\n");
        assertOneLineAndHint(RunningMonitor.run("--pages", "3"), "procmon: --pages must be a power of two, got 3");
        assertOneLineAndHint(RunningMonitor.run("--metrics", "localhost:http"),
                "procmon: --metrics takes [HOST:]PORT with a port from 0 to 65535, got 'localhost:http'");
        assertOneLineAndHint(RunningMonitor.run("--queue", "0"), "procmon: --queue must be at least 1, got 0");
        RunningMonitor.Result help = RunningMonitor.run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--output", "Exit codes:");
        String unwrapped = help.out().replaceAll("\n(?=[^ \n])", " "); // picocli wraps the table at 80 columns
        for (ExitCode c : ExitCode.values()) {
            assertThat(unwrapped).containsPattern("(?m)^ +" + c.code + "  " + java.util.regex.Pattern.quote(c.meaning) + "$");
        }
    }

    private static void assertOneLineAndHint(RunningMonitor.Result r, String line) {
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err()).isEqualTo(line + "\nTry 'procmon --help' for more information.\n");
    }

    @Test
    void anUnprivilegedUserIsExit3(@TempDir Path dir) throws Exception {
        // The checkout may sit in a directory only root can enter: give nobody readable copies.
        Path shared = Files.createTempDirectory("procmon-launcher");
        Path jar = Files.copy(RunningMonitor.JAR, shared.resolve("procmon.jar"));
        Path launcher = Files.copy(RunningMonitor.LAUNCHER, shared.resolve("procmon"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        RunningMonitor.Result r;
        try {
            ProcessBuilder pb = RunningMonitor.builder(List.of(), RunningMonitor.env("PROCMON_JAR", jar.toString()));
            pb.command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", launcher.toString(),
                    "-o", dir.resolve("never.csv").toString());
            r = RunningMonitor.runToEnd(pb);
        } finally {
            Files.delete(jar);
            Files.delete(launcher);
            Files.delete(shared);
        }
        assertOneLine(r, 3, "procmon: cannot load eBPF programs: permission denied; procmon must run as root (or with CAP_BPF and CAP_PERFMON)");
        assertThat(dir.resolve("never.csv")).doesNotExist();
    }

    @Test
    void withoutLibbccItIsExit4(@TempDir Path dir) throws Exception {
        RunningMonitor.Result r = inNamespace("lib=\"$(readlink -f \"$(ldconfig -p | awk '/libbcc_bpf.so.0 /{print $NF; exit}')\")\" "
                + "&& mount --bind /dev/null \"$lib\"", List.of(), "-o", dir.resolve("x.csv").toString());
        assertOneLine(r, 4, "procmon: cannot load libbcc_bpf.so.0: not found; install it with: apt-get install libbpfcc");
        assertThat(dir.resolve("x.csv")).doesNotExist();
    }

    @Test
    void withoutBtfItIsExit5(@TempDir Path dir) throws Exception {
        RunningMonitor.Result r = inNamespace("mount -t tmpfs none /sys/kernel/btf", List.of(), "-o", dir.resolve("x.csv").toString());
        assertOneLine(r, 5, "procmon: cannot read /sys/kernel/btf/vmlinux: not found; this kernel was built without BTF "
                + "(CONFIG_DEBUG_INFO_BTF=y is needed)");
    }

    @Test
    void withoutTracefsAndWithoutTheRightToMountItItIsExit6(@TempDir Path dir) throws Exception {
        // As a unit with CAP_BPF and CAP_PERFMON but not CAP_SYS_ADMIN runs it, on a host that has not mounted tracefs.
        RunningMonitor.Result r = inNamespace("for d in /sys/kernel/tracing /sys/kernel/debug; do "
                + "if [ -d $d ]; then mount -t tmpfs none $d || exit 99; fi; done; true",
                List.of("setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"), "-o", dir.resolve("x.csv").toString());
        assertOneLine(r, 6, "procmon: cannot find tracefs: not mounted; run: mount -t tracefs nodev /sys/kernel/tracing");
    }

    @Test
    void anOutputThatCannotBeWrittenIsExit7(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing/out.csv");
        assertOneLine(RunningMonitor.run("-o", missing.toString()), 7, "procmon: cannot write " + missing + ": no such file or directory");
        Path victim = Files.writeString(dir.resolve("victim"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("planted.csv"), victim);
        RunningMonitor.Result symlink = RunningMonitor.run("-o", link.toString());
        assertThat(symlink.code()).isEqualTo(7);
        assertThat(symlink.err()).contains("symbolic link").hasLineCount(1);
        assertThat(Files.readString(victim)).isEqualTo("keep");

        // Traps another user lays in a shared directory (as /tmp): each refused, nothing written or truncated.
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(shared, "unix:mode", 01777);
        Path theirs = Files.writeString(shared.resolve("theirs.csv"), "theirs");
        Files.setAttribute(theirs, "unix:uid", 65534);
        assertOneLine(RunningMonitor.run("-o", theirs.toString()), 7, "procmon: cannot write " + theirs
                + ": belongs to uid 65534, not to this user; refusing to write into another user's file");
        Path hardLink = Files.createLink(shared.resolve("linked.csv"), victim);
        assertOneLine(RunningMonitor.run("-o", hardLink.toString()), 7, "procmon: cannot write " + hardLink
                + ": has 2 hard links; refusing to write through a link");
        assertThat(Files.readString(victim)).isEqualTo("keep");
        Path fifo = shared.resolve("fifo.csv");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        RunningMonitor.Result blocked = RunningMonitor.run("-o", fifo.toString()); // without O_NONBLOCK: blocked for ever in open()
        assertThat(blocked.code()).as("stderr: %s", blocked.err()).isEqualTo(7);
        assertThat(blocked.err()).startsWith("procmon: cannot write " + fifo + ": is a FIFO; name it explicitly").hasLineCount(1);
    }

    @Test
    void summarizingWhatIsNotAFleetFileIsOneLine(@TempDir Path dir) throws Exception {
        RunningMonitor.Result none = RunningMonitor.run("collect", "--summarize");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).startsWith("procmon collect: --summarize needs the collectors' JSON Lines FILES\n");
        Path csv = Files.writeString(dir.resolve("fleet.csv"), "HOST,PID,PPID,USER,COMMAND,DURATION_MS\n");
        assertOneLine(RunningMonitor.run("collect", "--summarize", csv.toString()), 9, "procmon collect: " + csv
                + " is not JSON Lines (it does not start with '{'): --summarize reads files written by collect --format jsonl, "
                + "as CSV rows carry no sequence numbers");
        Path missing = dir.resolve("missing.jsonl");
        assertOneLine(RunningMonitor.run("collect", "--summarize", missing.toString()), 9,
                "procmon collect: cannot read " + missing + ": no such file or directory");
    }

    @Test
    void aKernelThatRefusesTheRingsIsExit8(@TempDir Path dir) throws Exception {
        // Root without CAP_IPC_LOCK (nor CAP_SYS_RESOURCE to raise the limit) and no locked memory allowed:
        // the kernel refuses to map a 4 MiB perf ring (perf_event_mlock_kb is 516 KiB per CPU).
        RunningMonitor.Result r = RunningMonitor.run(List.of("-o", dir.resolve("x.csv").toString(), "--pages", "1024"), Map.of(),
                List.of("prlimit", "--memlock=0:0", "setpriv", "--bounding-set", "-ipc_lock,-sys_resource", "--inh-caps",
                        "-ipc_lock,-sys_resource"));
        assertOneLine(r, 8, "procmon: cannot map the perf ring of cpu 0 (1024 pages): EPERM (Operation not permitted)");
    }

    @Test
    void aBusyMetricsPortIsExit10(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + busy.getLocalPort();
            assertOneLine(RunningMonitor.run("-o", dir.resolve("x.csv").toString(), "--metrics", address), 10,
                    "procmon: cannot serve metrics at " + address + ": address already in use");
        }
    }

    @Test
    void aSecondSigintWhileDrainingIsExit130(@TempDir Path dir) throws Exception {
        // Records held for a broker that is not there keep the drain busy for up to a minute.
        RunningMonitor monitor = RunningMonitor.start(dir.resolve("x.csv"), "--kafka", "127.0.0.1:9", "--kafka-close-timeout", "60");
        try {
            new ProcessBuilder("/bin/true").start().waitFor();
            monitor.signal("INT");
            awaitNotPending(monitor.pid()); // two pending SIGINTs would be one
            monitor.signal("INT");
            RunningMonitor.Stopped stopped = monitor.awaitExit(30);
            assertThat(stopped.code()).as("stderr: %s", stopped.stderr()).isEqualTo(130);
            assertThat(stopped.stderr()).endsWith("\nprocmon: forced to stop; rows not yet written are lost\n").doesNotContain("\tat ");
        } finally {
            monitor.destroy();
        }
    }

    /** Waits until the process has taken its pending SIGINT (ShdPnd of /proc/PID/status). */
    private static void awaitNotPending(long pid) throws Exception {
        long sigint = 1L << (2 - 1);
        for (int i = 0; i < 1000; i++) {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("ShdPnd:") && (Long.parseUnsignedLong(line.substring(7).trim(), 16) & sigint) == 0) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("SIGINT still pending after 10 s");
    }
}
