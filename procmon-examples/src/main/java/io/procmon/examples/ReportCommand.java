package io.procmon.examples;

import io.procmon.core.OutputFiles;
import io.procmon.report.Recording;
import io.procmon.report.ReportWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code procmon report}: a recording drawn as one self-contained HTML file. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Draws a recording (procmon CSV with start times, or JSON Lines) as one HTML file that opens offline in any "
                    + "browser: a timeline of every process nested under its parent, coloured by command, failed and killed "
                    + "ones marked, losses drawn where they happened, with zoom, pan, hover and search; and panels of the top "
                    + "commands, the slowest processes, failures, and processes per second."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  sudo ./procmon --format jsonl -o build.jsonl    (Ctrl+C after the build)",
            "  procmon report build.jsonl -o build.html",
            "  sudo ./procmon --columns " + Recording.NEEDED_COLUMNS + " -o build.csv"})
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INPUT", description = "The recording; - for standard input.")
    String input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "report.html",
            description = "The HTML file to write, - for standard output (default: ${DEFAULT-VALUE}); written whole or not "
                    + "at all, with the input's mode; another user's file, a hard link or a device is refused.")
    String output;

    @Option(names = "--title", paramLabel = "TEXT", description = "The report's title (default: the input's name).")
    String title;

    /**
     * The report shows what the recording holds, so it is as readable as the recording: the input
     * file's permission bits; 0600 for standard input, whose readers are unknown.
     */
    private java.util.Set<java.nio.file.attribute.PosixFilePermission> modeOfInput() throws IOException {
        return "-".equals(input) ? java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")
                : Files.getPosixFilePermissions(Path.of(input));
    }

    @Override
    public Integer call() {
        Recording recording;
        // Bytes: the reader decodes them strictly, so bad ones are refused with their line, never replaced.
        try (java.io.InputStream in = "-".equals(input) ? System.in : Files.newInputStream(Path.of(input))) {
            recording = Recording.read(in);
        } catch (Recording.BadInputException e) {
            System.err.println("procmon report: " + input + ": " + e.getMessage());
            return e.missingColumns() ? ExitCode.USAGE.code : ExitCode.INPUT.code;
        } catch (IOException | java.io.UncheckedIOException | java.nio.file.InvalidPathException e) {
            System.err.println("procmon report: cannot read " + input + ": " + ProcmonCli.describe(e));
            return ExitCode.INPUT.code;
        }
        String reportTitle = title != null ? title : "-".equals(input) ? "procmon recording" : Path.of(input).getFileName().toString();
        if ("-".equals(output)) {
            try {
                Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8));
                ReportWriter.write(recording, reportTitle, w);
                w.flush();
                if (System.out.checkError()) {
                    throw new IOException("standard output was closed");
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                System.err.println("procmon report: cannot write standard output: " + ProcmonCli.describe(e));
                return ExitCode.OUTPUT.code;
            }
            System.err.printf(java.util.Locale.ROOT, "procmon report: %,d processes drawn into standard output%n", recording.processes().size());
            return ExitCode.OK.code;
        }
        // Written beside the target, then renamed over it: whole or not at all. The target is checked
        // first (another user's file, a hard link, a device are refused) and the directory held open,
        // so the rename lands where it was checked.
        try (OutputFiles.Replaceable target = OutputFiles.checkReplaceable(Path.of(output))) {
            Path tmp = Files.createTempFile(target.directory(), ".procmon-report-", ".tmp"); // 0600 until it has the input's mode
            try {
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    ReportWriter.write(recording, reportTitle, w);
                }
                Files.setPosixFilePermissions(tmp, modeOfInput());
                Files.move(tmp, target.target(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                // While the directory is still held: its path through the descriptor is valid only until then.
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    e.addSuppressed(ignored);
                }
                throw e;
            }
        } catch (IOException | java.io.UncheckedIOException | java.nio.file.InvalidPathException e) {
            System.err.println("procmon report: cannot write " + output + ": " + ProcmonCli.describe(e));
            return ExitCode.OUTPUT.code;
        }
        System.err.printf(java.util.Locale.ROOT, "procmon report: %,d processes drawn into %s%n", recording.processes().size(), output);
        return ExitCode.OK.code;
    }
}
