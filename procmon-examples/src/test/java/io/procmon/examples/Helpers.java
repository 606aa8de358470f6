package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

final class Helpers {
    private Helpers() {
    }

    /** Compiles {@code name.c}, a test resource or a load generator of the repository's load/, into {@code dir}. */
    static Path compile(Path dir, String name) throws IOException, InterruptedException {
        Path source = dir.resolve(name + ".c");
        Path loadGenerator = Path.of("..", "load", name + ".c");
        if (Files.exists(loadGenerator)) {
            Files.copy(loadGenerator, source);
        } else {
            try (var in = Helpers.class.getResourceAsStream("/" + name + ".c")) {
                Files.copy(in, source);
            }
        }
        Path binary = dir.resolve(name);
        Process cc = new ProcessBuilder("cc", "-O2", "-pthread", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true).start();
        String out = new String(cc.getInputStream().readAllBytes());
        assertThat(cc.waitFor()).as("cc: %s", out).isZero();
        return binary;
    }
}
