package io.procmon.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads small /proc and /sys files. */
final class ProcFiles {
    private ProcFiles() {
    }

    /**
     * The whole file in one read. Files.readString is wrong here: procfs reports size 0, so it
     * reads one byte and then asks for the rest at offset 1, where sysctl files answer EOF
     * ({@code /proc/sys/kernel/pid_max} "32768" would read as "3").
     */
    static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n = in.read(buffer);
            return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII);
        }
    }

    static int readInt(Path file) throws IOException {
        try {
            return Integer.parseInt(read(file).trim());
        } catch (NumberFormatException e) {
            throw new IOException(file + ": not a number", e);
        }
    }
}
