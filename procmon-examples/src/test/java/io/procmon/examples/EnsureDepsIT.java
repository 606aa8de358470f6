package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/ensure-deps.sh}, which every {@code ./procmon} and {@code ./run-tests} runs first, on
 * a host that has everything (this one, once the test run installed it): it must never run the
 * package manager (a host without package access, or with apt busy, would fail to start) and never
 * start a JVM to learn the JDK's version. 200 runs: a race that failed 3 runs in 200 shows here.
 */
class EnsureDepsIT {
    private static final Path SCRIPT = Path.of("..", "scripts", "ensure-deps.sh").toAbsolutePath().normalize();

    @Test
    void withNothingMissingItRunsNoPackageManagerAndNoJvm(@TempDir Path dir) throws Exception {
        Path calls = dir.resolve("calls");
        for (String tool : new String[] {"apt-get", "java"}) {
            Path stub = dir.resolve(tool);
            Files.writeString(stub, "#!/bin/sh\necho \"" + tool + " $*\" >>'" + calls + "'\nexit 1\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (int run = 0; run < 200; run++) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-x", SCRIPT.toString(), "test").redirectErrorStream(true);
            pb.environment().put("PATH", dir + ":" + System.getenv("PATH"));
            Process p = pb.start();
            String trace = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("run %d:%n%s", run, trace).isZero();
            assertThat(trace).as("run %d started javac", run).doesNotContainPattern("(?m)^\\++ javac ");
            assertThat(calls).as("run %d called the package manager or a JVM:%n%s", run, trace).doesNotExist();
        }
    }
}
