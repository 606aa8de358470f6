package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The real workloads the end-to-end tests run, and how their ground truth is compared. */
final class Workloads {
    private Workloads() {
    }

    /** Runs a load generator; returns its ground truth, one "pid ppid" per line. */
    static List<String> groundTruth(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> truth = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertThat(p.waitFor()).as("%s", List.of(command)).isZero();
        return truth;
    }

    /** How often each "pid ppid" pair occurs. */
    static Map<String, Long> multiset(List<String> pairs) {
        return pairs.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** A copy of /bin/true named {@code name}, a name no other process has, so its rows are the test's alone. */
    static Path uniqueTrue(Path dir, String name) throws Exception {
        return uniqueCopy(Path.of("/bin/true"), dir, name);
    }

    /** A copy of {@code program} named {@code name}, a name no other process has. */
    static Path uniqueCopy(Path program, Path dir, String name) throws Exception {
        Path copy = dir.resolve(name);
        Files.copy(program, copy);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        return copy;
    }
}
