package io.procmon.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The entry point of the {@code procmon} command line: wires the monitor's command and its
 * subcommands ({@code collect}, {@code report}) and maps what escapes them to one line and an
 * {@link ExitCode}. The jobs themselves are {@link MonitorRun}, {@link CollectCommand} and
 * {@link ReportCommand}.
 */
public final class ProcmonCli {
    private ProcmonCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, System.err);
    }

    /** Runs the command line, its messages to {@code err}; returns the exit code. */
    static int run(String[] args, PrintStream err) {
        ProcmonCommand command = new ProcmonCommand(err);
        CommandLine cli = new CommandLine(command);
        if (mayNameASubcommand(args)) {
            // Only then: their models (and the Kafka and report classes) cost a monitor's start-up 80 ms.
            cli.addSubcommand(CollectCommand.class);
            cli.addSubcommand(ReportCommand.class);
        }
        cli.getCommandSpec().usageMessage().footer(concat(cli.getCommandSpec().usageMessage().footer(), ExitCode.table()));
        cli.setExitCodeExceptionMapper(e -> ExitCode.INTERNAL.code);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("procmon: " + e.getMessage());
            err.println("Try 'procmon --help' for more information.");
            return ExitCode.USAGE.code;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> internalError(err, e, command.debug));
        try {
            return cli.execute(args);
        } catch (Error e) {
            // picocli hands only Exceptions to the handler above; an Error (out of memory with a
            // heap set too small, a broken JDK) is still one line, not a stack trace.
            return internalError(err, e, command.debug);
        }
    }

    private static int internalError(PrintStream err, Throwable e, boolean debug) {
        err.println("procmon: internal error: " + e);
        if (debug) {
            e.printStackTrace(err);
        }
        return ExitCode.INTERNAL.code;
    }

    /** Whether the arguments name a subcommand, or ask for the help that lists them. */
    static boolean mayNameASubcommand(String[] args) {
        for (String arg : args) {
            if (arg.equals("collect") || arg.equals("report") || arg.equals("-h") || arg.equals("--help") || arg.equals("help")) {
                return true;
            }
        }
        return false;
    }

    private static String[] concat(String[] footer, String table) {
        String[] all = java.util.Arrays.copyOf(footer, footer.length + 1);
        all[footer.length] = table;
        return all;
    }

    /** The reason of a failure in a user's words: "permission denied", "no space left on device". */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            return describe(e.getCause());
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return lowerFirst(fse.getReason());
        }
        if (e instanceof java.net.BindException && e.getMessage() != null) {
            return lowerFirst(e.getMessage()); // "Address already in use", as the other reasons read
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /** "No space left on device" reads "no space left on device"; "FIFO" and "/proc/self/fd/N" further on stay. */
    private static String lowerFirst(String reason) {
        return reason.isEmpty() ? reason : reason.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + reason.substring(1);
    }

    /** Version from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"procmon " + number()};
        }

        /** The build's version, or "unknown" when the jar does not say. */
        static String number() {
            Properties p = new Properties();
            try (InputStream in = ProcmonCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                return "unknown";
            }
            return p.getProperty("version", "unknown");
        }
    }
}
