package io.procmon.bpf.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the C helpers the kernel and end-to-end tests run. Shared with other modules through the test jar. */
public final class NativeHelpers {
    private NativeHelpers() {
    }

    /**
     * Compiles {@code name.c} into {@code dir}: a load generator from the repository's {@code load/}
     * directory, or else a resource of the calling test's class path. {@code flags} go to the
     * compiler before the others (for example {@code -static}).
     */
    public static Path compile(Path dir, String name, String... flags) throws IOException, InterruptedException {
        Path source = dir.resolve(name + ".c");
        Path loadGenerator = Path.of("..", "load", name + ".c");
        if (Files.exists(loadGenerator)) {
            Files.copy(loadGenerator, source);
        } else {
            try (var in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name + ".c")) {
                if (in == null) {
                    throw new IOException("no C source " + name + ".c in load/ or on the test class path");
                }
                Files.copy(in, source);
            }
        }
        Path binary = dir.resolve(name);
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("cc"));
        command.addAll(java.util.List.of(flags));
        command.addAll(java.util.List.of("-O2", "-pthread", "-o", binary.toString(), source.toString()));
        Process cc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(cc.getInputStream().readAllBytes());
        if (cc.waitFor() != 0) {
            throw new IOException("cc " + source + " failed: " + out);
        }
        return binary;
    }
}
