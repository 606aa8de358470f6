package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.testing.NativeHelpers;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The one way the end-to-end tests start procmon, {@code procmon collect} and {@code procmon
 * report}: through the package's launcher script, as users and the systemd unit run them (its JVM
 * options and heap cap, the jar built by this module), with SIGINT and SIGTERM at their defaults
 * (a JVM started by a background shell would inherit SIGINT ignored). No class-data archive, so
 * runs do not depend on one another.
 */
final class RunningMonitor {
    static final Path JAR = Path.of("target", "procmon.jar").toAbsolutePath();
    static final Path LAUNCHER = Path.of("..", "procmon-deb", "src", "deb", "bin", "procmon").toAbsolutePath().normalize();
    static final long SELF = ProcessHandle.current().pid();
    private static Path sigdfl;

    private final Process process;
    private final Path output;
    private final Path stderr;

    private RunningMonitor(Process process, Path output, Path stderr) {
        this.process = process;
        this.output = output;
        this.stderr = stderr;
    }

    /** The command line that runs {@code procmon args...} through the launcher. */
    static synchronized List<String> command(List<String> args) throws IOException, InterruptedException {
        if (sigdfl == null) {
            Path dir = Files.createDirectories(Path.of("target", "test-helpers").toAbsolutePath());
            Files.deleteIfExists(dir.resolve("sigdfl.c"));
            sigdfl = NativeHelpers.compile(dir, "sigdfl");
        }
        List<String> cmd = new ArrayList<>(List.of(sigdfl.toString(), LAUNCHER.toString()));
        cmd.addAll(args);
        return cmd;
    }

    /** The launcher's environment: this module's jar, the JDK running the tests, no archive, plus {@code extra}. */
    static ProcessBuilder builder(List<String> args, Map<String, String> extra) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        Map<String, String> env = pb.environment();
        env.put("PROCMON_JAR", JAR.toString());
        env.put("PROCMON_CDS_ARCHIVE", "");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.remove("PROCMON_JAVA_OPTS");
        env.putAll(extra);
        return pb;
    }

    /** Starts {@code procmon -o output extra...} and waits until it says it is recording. */
    static RunningMonitor start(Path output, String... extra) throws Exception {
        List<String> args = new ArrayList<>();
        if (output != null) { // null: the caller gives its own -o
            args.addAll(List.of("-o", output.toString()));
        }
        args.addAll(List.of(extra));
        return startAndAwait(args, Map.of(), "procmon: recording to ", output);
    }

    /**
     * Starts {@code procmon args...} (the monitor or a subcommand) with {@code env} added, and waits
     * until standard error has {@code ready}; fails with what it said if it exits first.
     */
    static RunningMonitor startAndAwait(List<String> args, Map<String, String> env, String ready, Path output) throws Exception {
        return startAndAwait(List.of(), args, env, ready, output);
    }

    /** As {@link #startAndAwait(List, Map, String, Path)}, run by {@code wrapper...} (as {@link #run(List, Map, List)}). */
    static RunningMonitor startAndAwait(List<String> wrapper, List<String> args, Map<String, String> env, String ready, Path output)
            throws Exception {
        Path stderr = Files.createTempFile("procmon-stderr", ".txt");
        ProcessBuilder pb = builder(args, env);
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(pb.command());
        pb.command(cmd);
        Process process = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
        RunningMonitor monitor = new RunningMonitor(process, output, stderr);
        monitor.awaitStderr(ready);
        return monitor;
    }

    long pid() {
        return process.pid();
    }

    /** Waits until standard error contains {@code text}; fails if the process ends first. */
    void awaitStderr(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.readString(stderr).contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("procmon exited with " + process.exitValue() + " before saying '" + text + "': "
                        + Files.readString(stderr));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("procmon never said '" + text + "': " + Files.readString(stderr));
    }

    /** Standard error so far. */
    String stderrSoFar() throws IOException {
        return Files.readString(stderr);
    }

    /** Sends a signal ("INT", "TERM"...) to the monitor. */
    void signal(String name) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor()).isZero();
    }

    /** Sends SIGINT and waits for the exit; returns the exit code and standard error. */
    Stopped stop() throws Exception {
        signal("INT");
        return awaitExit(120);
    }

    /** Waits for the monitor to end by itself; returns the exit code and standard error. */
    Stopped awaitExit(long seconds) throws Exception {
        assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as("procmon ends within %d s", seconds).isTrue();
        String text = Files.readString(stderr);
        Files.delete(stderr);
        return new Stopped(process.exitValue(), text);
    }

    /** Kills what is still running (for finally blocks). */
    void destroy() {
        process.destroyForcibly();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The output file's text. */
    String output() throws IOException {
        return Files.readString(output);
    }

    /** The CSV rows, after checking the header and that the file ends with a whole row. */
    List<CSVRecord> rows() throws IOException {
        return csvRows(Files.readString(output));
    }

    /** Rows of a CSV text whose header starts with the original five columns and that ends with a whole row. */
    static List<CSVRecord> csvRows(String text) throws IOException {
        assertThat(text).startsWith("PID,PPID,USER,COMMAND,DURATION_MS").endsWith("\n");
        try (CSVParser parser = CSVParser.parse(new StringReader(text),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            return parser.getRecords();
        }
    }

    /** Runs {@code procmon args...} to its end, standard input closed. */
    static Result run(String... args) throws Exception {
        return run(List.of(args), Map.of(), List.of());
    }

    /**
     * Runs {@code wrapper... launcher args...} to its end with {@code env} added: the wrapper (such
     * as setpriv or unshare) changes what the monitor may do, as a host would.
     */
    static Result run(List<String> args, Map<String, String> env, List<String> wrapper) throws Exception {
        ProcessBuilder pb = builder(args, env);
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(pb.command());
        pb.command(cmd);
        return runToEnd(pb);
    }

    /** Runs a command built by {@link #builder} to its end, standard input closed. */
    static Result runToEnd(ProcessBuilder pb) throws Exception {
        Path out = Files.createTempFile("procmon-stdout", ".txt");
        Path err = Files.createTempFile("procmon-stderr", ".txt");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s ends", pb.command()).isTrue();
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.delete(out);
            Files.delete(err);
        }
    }

    static Map<String, String> env(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** VmRSS of a process, in KiB; 0 once it is gone. */
    static long residentKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return 0;
    }

    /** How the monitor ended. */
    record Stopped(int code, String stderr) {
    }

    /** How a command run to its end ended. */
    record Result(int code, String out, String err) {
    }
}
