package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, run as an operator would: real processes with known pids and parents, SIGINT,
 * then the CSV is parsed back and every row checked against that ground truth.
 */
class ProcmonJarIT {
    static final Path JAR = Path.of("target", "procmon.jar").toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final long SELF = ProcessHandle.current().pid();

    @TempDir
    static Path tools;
    static Path sigdfl;

    @BeforeAll
    static void buildHelper() throws Exception {
        assertThat(JAR).exists();
        sigdfl = Helpers.compile(tools, "sigdfl");
    }

    record Expected(long pid, long ppid, String command, long minMillis) {
    }

    private static Process startMonitor(Path csv, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(sigdfl.toString(), JAVA, "-jar", JAR.toString(), "-o", csv.toString()));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Runs /bin/true until its row shows up: the monitor is attached and writing. */
    private static void awaitAttached(Path csv, Process monitor) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!monitor.isAlive()) {
                throw new AssertionError("monitor exited with " + monitor.exitValue() + ": " + stderrOf(monitor));
            }
            Process probe = new ProcessBuilder("/bin/true").start();
            probe.waitFor();
            Thread.sleep(300);
            if (Files.exists(csv) && Files.readString(csv).contains("\n" + probe.pid() + "," + SELF + ",")) {
                return;
            }
        }
        throw new AssertionError("monitor never wrote a row");
    }

    private static String stderrOf(Process p) {
        try {
            return new String(p.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void recordsRealProcessesAndStopsCleanlyOnSigint(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("process_events.csv");
        Process monitor = startMonitor(csv);
        awaitAttached(csv, monitor);

        List<Expected> expected = new ArrayList<>();
        Process sleeper = new ProcessBuilder("sleep", "0.25").start();
        sleeper.waitFor();
        expected.add(new Expected(sleeper.pid(), SELF, "sleep", 250));

        Process exit3 = new ProcessBuilder("sh", "-c", "exit 3").start();
        exit3.waitFor();
        expected.add(new Expected(exit3.pid(), SELF, "sh", 0));

        Process shell = new ProcessBuilder("sh", "-c", "sleep 0.3 & echo $!; wait").start();
        long grandchild = Long.parseLong(new String(shell.getInputStream().readAllBytes()).trim());
        shell.waitFor();
        expected.add(new Expected(shell.pid(), SELF, "sh", 300));
        expected.add(new Expected(grandchild, shell.pid(), "sleep", 300));

        for (String hostile : List.of("a,b", "q\"uote", "new\nline", "=cmd", " lead", "tab\tx", "ünï")) {
            Path link = dir.resolve(hostile);
            Files.createSymbolicLink(link, Path.of("/bin/true"));
            Process p = new ProcessBuilder(link.toString()).start();
            p.waitFor();
            expected.add(new Expected(p.pid(), SELF, hostile, 0));
        }

        Thread.sleep(500);
        new ProcessBuilder("kill", "-INT", Long.toString(monitor.pid())).start().waitFor();
        assertThat(monitor.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = new String(monitor.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(monitor.exitValue()).as("exit code; stderr: %s", stderr).isZero();
        assertThat(stderr).matches("(?s)procmon: [\\d,]+ rows written to .* in [\\d.]+ s; 0 events lost\\n");

        String text = Files.readString(csv);
        assertThat(text).startsWith("PID,PPID,USER,COMMAND,DURATION_MS\n").endsWith("\n");
        List<CSVRecord> rows;
        try (CSVParser parser = CSVParser.parse(new StringReader(text), CSVFormat.RFC4180.builder().setHeader()
                .setSkipHeaderRecord(true).get())) {
            rows = parser.getRecords();
        }
        for (CSVRecord row : rows) {
            assertThat(row.size()).isEqualTo(5);
            assertThat(row.get("DURATION_MS")).matches("\\d+\\.\\d\\d");
        }
        for (Expected e : expected) {
            List<CSVRecord> mine = rows.stream()
                    .filter(r -> r.get("PID").equals(Long.toString(e.pid())) && r.get("PPID").equals(Long.toString(e.ppid())))
                    .toList();
            assertThat(mine).as("rows for %s", e).hasSize(1);
            CSVRecord row = mine.get(0);
            assertThat(row.get("COMMAND")).isEqualTo(e.command());
            assertThat(row.get("USER")).isEqualTo("root");
            assertThat(Double.parseDouble(row.get("DURATION_MS"))).isGreaterThanOrEqualTo(e.minMillis());
        }
    }

    private static Result runToEnd(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    record Result(int code, String out, String err) {
    }

    @Test
    void userMistakesGetOneLineAndADistinctExitCode(@TempDir Path dir) throws Exception {
        Result bad = runToEnd(List.of(JAVA, "-jar", JAR.toString(), "--no-such-option"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("procmon: Unknown option: '--no-such-option'").doesNotContain("\tat ");

        Result badPages = runToEnd(List.of(JAVA, "-jar", JAR.toString(), "--pages", "3"));
        assertThat(badPages.code()).isEqualTo(2);
        assertThat(badPages.err()).contains("power of two");

        Result noDir = runToEnd(List.of(JAVA, "-jar", JAR.toString(), "-o", dir.resolve("missing/out.csv").toString()));
        assertThat(noDir.code()).isEqualTo(7);
        assertThat(noDir.err().strip()).isEqualTo("procmon: cannot write " + dir.resolve("missing/out.csv")
                + ": no such file or directory");

        Path victim = dir.resolve("victim");
        Files.writeString(victim, "keep");
        Path link = dir.resolve("planted.csv");
        Files.createSymbolicLink(link, victim);
        Result symlink = runToEnd(List.of(JAVA, "-jar", JAR.toString(), "-o", link.toString()));
        assertThat(symlink.code()).isEqualTo(7);
        assertThat(symlink.err()).contains("symbolic link").doesNotContain("\tat ");
        assertThat(Files.readString(victim)).isEqualTo("keep");

        Result help = runToEnd(List.of(JAVA, "-jar", JAR.toString(), "--help"));
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--output", "Exit codes:", "130");
    }

    @Test
    void anUnprivilegedUserIsToldToBeRoot(@TempDir Path dir) throws Exception {
        // The checkout may sit in a directory only root can enter: give nobody a readable copy of the jar.
        Path shared = Files.createTempDirectory("procmon-jar");
        Path jar = shared.resolve("procmon.jar");
        Files.copy(JAR, jar);
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Result r;
        try {
            r = runToEnd(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                    JAVA, "-jar", jar.toString(), "-o", dir.resolve("never.csv").toString()));
        } finally {
            Files.delete(jar);
            Files.delete(shared);
        }
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(3);
        assertThat(r.err().strip()).isEqualTo("procmon: permission denied: procmon must run as root (or with CAP_BPF and CAP_PERFMON)");
        assertThat(dir.resolve("never.csv")).doesNotExist();
    }
}
