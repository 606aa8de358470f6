package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.BpfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The exit codes are an interface: scripts and systemd's RestartPreventExitStatus rely on each number. */
class ExitCodeTest {
    /** The table users were promised, code by code. */
    private static final Map<Integer, ExitCode> PROMISED = new LinkedHashMap<>();

    static {
        PROMISED.put(0, ExitCode.OK);
        PROMISED.put(1, ExitCode.INTERNAL);
        PROMISED.put(2, ExitCode.USAGE);
        PROMISED.put(3, ExitCode.NOT_PERMITTED);
        PROMISED.put(4, ExitCode.LIBBCC_MISSING);
        PROMISED.put(5, ExitCode.NO_BTF);
        PROMISED.put(6, ExitCode.NO_TRACEFS);
        PROMISED.put(7, ExitCode.OUTPUT);
        PROMISED.put(8, ExitCode.KERNEL);
        PROMISED.put(9, ExitCode.INPUT);
        PROMISED.put(10, ExitCode.METRICS);
        PROMISED.put(11, ExitCode.READER_DIED);
        PROMISED.put(130, ExitCode.FORCED);
        PROMISED.put(141, ExitCode.OUTPUT_CLOSED);
    }

    @Test
    void everyCodeHasItsPromisedNumber() {
        Map<Integer, ExitCode> actual = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            actual.put(c.code, c);
        }
        assertThat(actual).containsExactlyEntriesOf(PROMISED);
    }

    @Test
    void theReadmesTableListsTheSameCodes() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher row = Pattern.compile("(?m)^\\| (\\d+) \\| (.+) \\|$").matcher(readme);
        Map<Integer, String> documented = new LinkedHashMap<>();
        while (row.find()) {
            documented.put(Integer.parseInt(row.group(1)), row.group(2));
        }
        assertThat(documented.keySet()).containsExactlyElementsOf(PROMISED.keySet());
        // The same kind of failure in both words: the README's meaning shares its first word with --help's.
        for (ExitCode c : ExitCode.values()) {
            String first = c.meaning.split("[ (]")[0];
            assertThat(documented.get(c.code)).as("README meaning of %d", c.code).containsIgnoringCase(first);
        }
    }

    @Test
    void helpShowsEveryCode() {
        String table = ExitCode.table();
        for (ExitCode c : ExitCode.values()) {
            assertThat(table).containsPattern("(?m)^ +" + c.code + "  " + Pattern.quote(c.meaning) + "$");
        }
    }

    @Test
    void eachKernelFailureReasonMapsToItsCode() {
        Map<BpfException.Reason, ExitCode> expected = Map.of(
                BpfException.Reason.NOT_PERMITTED, ExitCode.NOT_PERMITTED,
                BpfException.Reason.LIBBCC_MISSING, ExitCode.LIBBCC_MISSING,
                BpfException.Reason.NO_BTF, ExitCode.NO_BTF,
                BpfException.Reason.NO_TRACEFS, ExitCode.NO_TRACEFS,
                BpfException.Reason.VERIFIER_REJECTED, ExitCode.KERNEL,
                BpfException.Reason.KERNEL, ExitCode.KERNEL);
        assertThat(expected).hasSize(BpfException.Reason.values().length);
        for (BpfException.Reason r : BpfException.Reason.values()) {
            assertThat(ExitCode.of(r)).as("%s", r).isEqualTo(expected.get(r));
        }
    }
}
