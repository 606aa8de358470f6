package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.testing.NativeHelpers;
import io.procmon.core.Arguments;
import io.procmon.core.ProcessEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command lines on the real kernel: read at exec, sent as records of their own, joined with the exits. */
@BpfTest
class ArgsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private BpfEventSource source;
    private RecordingListener recorder;

    private void start(BpfOptions options) {
        recorder = new RecordingListener();
        source = new BpfEventSource(options);
        source.start(recorder);
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    private ProcessEvent the(long pid) throws InterruptedException {
        return recorder.the(pid, WAIT);
    }

    private static Process run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return p;
    }

    @Test
    void argumentsComeWithEveryKindOfExec(@TempDir Path dir) throws Exception {
        Path emptyArgv = NativeHelpers.compile(dir, "empty_argv");
        Path script = dir.resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        script.toFile().setExecutable(true);
        Process older = new ProcessBuilder("sleep", "0.7").start();
        Thread.sleep(200);
        start(BpfOptions.builder().args(4096).build());

        Process echo = run("/bin/echo", "hello", "", "wörld", "it's \"quoted\"");
        Process shebang = run(script.toString(), "a b", "c");
        String big = "x".repeat(10 * 1024);
        Process huge = run("/bin/true", big);
        Process none = run(emptyArgv.toString(), "/bin/true");
        older.waitFor();

        assertThat(args(the(echo.pid())).values()).containsExactly("/bin/echo", "hello", "", "wörld", "it's \"quoted\"");
        assertThat(args(the(echo.pid())).shellQuoted()).isEqualTo("/bin/echo hello '' 'wörld' 'it'\"'\"'s \"quoted\"'");
        assertThat(args(the(shebang.pid())).values()).containsExactly("/bin/sh", script.toString(), "a b", "c");
        Arguments cut = args(the(huge.pid()));
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.totalBytes()).isEqualTo("/bin/true".length() + 1 + big.length() + 1);
        assertThat(cut.values()).hasSize(2);
        assertThat(String.join("\0", cut.values())).hasSize(4096);
        // Since 5.18 the kernel gives an empty argv one empty argument.
        assertThat(args(the(none.pid())).values()).containsExactly("");
        ProcessEvent old = the(older.pid());
        assertThat(old.startedBeforeMonitoring()).isTrue();
        assertThat(args(old).values()).containsExactly("sleep", "0.7");
    }

    @Test
    void tenThousandRapidExecsAllHaveTheirOwnArguments() throws Exception {
        // 10,000 here; the kernel matrix asks for fewer (-Dprocmon.test.rapidExecs), as its guests are emulated.
        int execs = Integer.getInteger("procmon.test.rapidExecs", 10_000);
        start(BpfOptions.builder().args(4096).build());
        Process shell = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt " + execs + " ]; do /bin/true \"arg-$i\"; i=$((i+1)); done")
                .start();
        shell.waitFor();
        List<ProcessEvent> children = recorder.await(e -> e.ppid() == shell.pid() && e.command().equals("true"), execs,
                Duration.ofSeconds(120));
        assertThat(children).hasSize(execs);
        Set<String> seen = new HashSet<>();
        for (ProcessEvent e : children) {
            assertThat(e.argumentsMissing()).as("arguments of %s", e).isFalse();
            List<String> values = args(e).values();
            assertThat(values).hasSize(2).first().isEqualTo("/bin/true");
            seen.add(values.get(1));
        }
        assertThat(seen).as("each exec its own arguments").hasSize(execs);
        assertThat(recorder.lost).isEmpty();
    }

    private static Arguments args(ProcessEvent e) {
        assertThat(e.arguments()).as("arguments of %s (missing: %s)", e, e.argumentsMissing()).isPresent();
        return e.arguments().get();
    }
}
