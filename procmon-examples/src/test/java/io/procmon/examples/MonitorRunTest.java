package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.BpfOptions;
import io.procmon.core.EventSource;
import io.procmon.core.EventSourceException;
import io.procmon.core.ProcessEvent;
import io.procmon.core.SourceListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How a run ends when its source fails after it started: the monitor's own wiring, with a source standing in for the kernel's. */
class MonitorRunTest {

    /** A source that delivers one event, then dies as a reader thread does. */
    private static final class DyingSource implements EventSource {
        @Override
        public void start(SourceListener listener) {
            Thread reader = new Thread(() -> {
                listener.onEvent(ProcessEvent.builder().pid(42).ppid(1).uid(0).command("before-death")
                        .execTimeNanos(1_000).exitTimeNanos(2_000).build());
                listener.onFailure(new EventSourceException("cannot read the kernel's events any more: java.lang.IllegalStateException: ring gone"));
            }, "test-reader");
            reader.start();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aReaderThatDiesEndsTheRunWithItsOwnCodeAndOneLine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("rows.csv");
        ProcmonCommand command = new ProcmonCommand(System.err);
        new CommandLine(command).parseArgs("-q", "-o", out.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        MonitorRun.Engine engine = new MonitorRun.Engine() {
            @Override
            public void preflight() {
            }

            @Override
            public EventSource open(BpfOptions options) {
                return new DyingSource();
            }
        };
        MonitorRun run = new MonitorRun(command.plan(), new PrintStream(err, true, StandardCharsets.UTF_8), true, false, engine);
        int code = CompletableFuture.supplyAsync(run::run).get(30, TimeUnit.SECONDS);
        assertThat(code).isEqualTo(ExitCode.READER_DIED.code).isEqualTo(11);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("procmon: cannot read the kernel's events any more: java.lang.IllegalStateException: ring gone\n");
        // What came before the death is written, whole.
        assertThat(Files.readAllLines(out)).containsExactly("PID,PPID,USER,COMMAND,DURATION_MS", "42,1,root,before-death,0.00");
    }
}
