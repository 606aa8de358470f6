package io.procmon.examples;

import io.procmon.kafka.FleetSummary;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code procmon collect --summarize FILES}: the fleet's accounting across the JSON Lines files of
 * the collectors of one group, in the lines of collect's own report, on standard output.
 */
final class FleetSummaryRun {
    /** Lines that are not records named one by one on standard error; the rest are counted in the report. */
    private static final int NAMED_AT_MOST = 20;
    private static final String DUPLICATES = "duplicates (in two files, or twice in one)";

    private FleetSummaryRun() {
    }

    static int run(List<Path> files, PrintStream out, PrintStream err) {
        if (files.isEmpty()) {
            return CollectCommand.usage(err, "--summarize needs the collectors' JSON Lines FILES");
        }
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                int first = in.read();
                if (first != -1 && first != '{') {
                    err.println("procmon collect: " + file + " is not JSON Lines (it does not start with '{'): --summarize reads "
                            + "files written by collect --format jsonl, as CSV rows carry no sequence numbers");
                    return ExitCode.INPUT.code;
                }
            } catch (IOException e) {
                err.println("procmon collect: cannot read " + file + ": " + ProcmonCli.describe(e));
                return ExitCode.INPUT.code;
            }
        }
        long[] named = {0};
        FleetSummary summary;
        try {
            summary = FleetSummary.read(files, new FleetSummary.Listener() {
                @Override
                public void onMalformed(String reason, String where) {
                    if (named[0]++ < NAMED_AT_MOST) {
                        err.println("procmon collect: skipped " + where + ": " + reason);
                    }
                }

                @Override
                public void onRetired(String run, io.procmon.schema.SequenceTracker figures) {
                    out.println(CollectCommand.retiredLine(run, figures, DUPLICATES));
                }
            });
        } catch (IOException e) {
            err.println("procmon collect: reading the files failed: " + ProcmonCli.describe(e));
            return ExitCode.INPUT.code;
        }
        if (named[0] > NAMED_AT_MOST) {
            err.printf(Locale.ROOT, "procmon collect: skipped %,d more lines that are not records%n", named[0] - NAMED_AT_MOST);
        }
        CollectCommand.report(out, summary.runs(), summary.malformed(), summary.retired(), DUPLICATES);
        out.flush();
        return out.checkError() ? ExitCode.OUTPUT.code : ExitCode.OK.code;
    }
}
