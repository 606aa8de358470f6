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

/** The built procmon.jar running as a child process, as an operator runs it. */
final class RunningMonitor {
    static final Path JAR = Path.of("target", "procmon.jar").toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final long SELF = ProcessHandle.current().pid();
    /** The JVM options the package's launcher (used by ./procmon and the systemd unit) runs the monitor with. */
    static final List<String> JVM_OPTIONS = launcherOptions(Path.of("..", "procmon-deb", "src", "deb", "bin", "procmon"));

    /** The default of {@code opts="${PROCMON_JAVA_OPTS:-...}"} in the launcher script. */
    static List<String> launcherOptions(Path launcher) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^opts=\"\\$\\{PROCMON_JAVA_OPTS:-(.*)}\"$")
                    .matcher(Files.readString(launcher));
            if (!m.find()) {
                throw new IllegalStateException(launcher + " has no opts=\"${PROCMON_JAVA_OPTS:-...}\" line");
            }
            return List.of(m.group(1).trim().split("\\s+"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private final Process process;
    private final Path csv;
    private final Path stderr;

    private RunningMonitor(Process process, Path csv, Path stderr) {
        this.process = process;
        this.csv = csv;
        this.stderr = stderr;
    }

    /**
     * Starts {@code java -jar procmon.jar -o csv extra...} through {@code sigdfl} (so SIGINT is
     * not inherited as ignored) and waits until it says it is recording.
     */
    static RunningMonitor start(Path sigdfl, Path csv, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(sigdfl.toString(), JAVA));
        cmd.addAll(JVM_OPTIONS);
        cmd.addAll(List.of("-jar", JAR.toString()));
        if (csv != null) { // null: the caller gives its own -o
            cmd.addAll(List.of("-o", csv.toString()));
        }
        cmd.addAll(List.of(extra));
        Path stderr = Files.createTempFile("procmon-stderr", ".txt");
        Process process = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile()).start();
        RunningMonitor monitor = new RunningMonitor(process, csv, stderr);
        monitor.awaitAttached();
        return monitor;
    }

    long pid() {
        return process.pid();
    }

    /** Waits for "procmon: recording to ...", printed once the programs are attached. */
    private void awaitAttached() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.readString(stderr).contains("procmon: recording to ")) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("monitor exited with " + process.exitValue() + ": " + Files.readString(stderr));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("monitor never attached: " + Files.readString(stderr));
    }

    /** Sends SIGINT and waits for the exit; returns the exit code and standard error. */
    Stopped stop() throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("monitor stops after SIGINT").isTrue();
        String text = Files.readString(stderr);
        Files.delete(stderr);
        return new Stopped(process.exitValue(), text);
    }

    /** Waits for the monitor to end by itself; returns the exit code and standard error. */
    Stopped awaitExit(long seconds) throws Exception {
        assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as("monitor ends by itself").isTrue();
        String text = Files.readString(stderr);
        Files.delete(stderr);
        return new Stopped(process.exitValue(), text);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The output file's text. */
    String output() throws IOException {
        return Files.readString(csv);
    }

    /** The CSV rows, after checking the header and that the file ends with a whole row. */
    List<CSVRecord> rows() throws IOException {
        String text = Files.readString(csv);
        assertThat(text).startsWith("PID,PPID,USER,COMMAND,DURATION_MS").endsWith("\n");
        try (CSVParser parser = CSVParser.parse(new StringReader(text),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            return parser.getRecords();
        }
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
}
