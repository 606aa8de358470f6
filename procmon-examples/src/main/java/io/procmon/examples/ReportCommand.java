package io.procmon.examples;

import io.procmon.report.Recording;
import io.procmon.report.ReportWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
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
            description = "The HTML file to write (default: ${DEFAULT-VALUE}); written whole or not at all.")
    String output;

    @Option(names = "--title", paramLabel = "TEXT", description = "The report's title (default: the input's name).")
    String title;

    @Override
    public Integer call() {
        Recording recording;
        try (Reader in = "-".equals(input) ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
            recording = Recording.read(in);
        } catch (Recording.BadInputException e) {
            System.err.println("procmon report: " + input + ": " + e.getMessage());
            return e.missingColumns() ? ExitCode.USAGE.code : ExitCode.INPUT.code;
        } catch (IOException | java.io.UncheckedIOException | java.nio.file.InvalidPathException e) {
            System.err.println("procmon report: cannot read " + input + ": " + ProcmonCli.describe(e));
            return ExitCode.INPUT.code;
        }
        Path out = Path.of(output).toAbsolutePath();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(out.getParent(), ".procmon-report-", ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                ReportWriter.write(recording, title != null ? title : "-".equals(input) ? "procmon recording" : Path.of(input).getFileName().toString(), w);
            }
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("procmon report: cannot write " + output + ": " + ProcmonCli.describe(e));
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
            return ExitCode.OUTPUT.code;
        }
        System.err.printf(java.util.Locale.ROOT, "procmon report: %,d processes drawn into %s%n", recording.processes().size(), output);
        return ExitCode.OK.code;
    }
}
