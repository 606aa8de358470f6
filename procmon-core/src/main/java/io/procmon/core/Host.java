package io.procmon.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The machine a process ran on: its host name and a stable host id ({@code /etc/machine-id}),
 * which survives renames and tells apart hosts that share a name.
 *
 * @param name the host name
 * @param id the machine id; empty when the host has none
 */
public record Host(String name, String id) {
    public Host {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
    }

    /** This machine: the kernel's host name (of this UTS namespace) and {@code /etc/machine-id}. */
    public static Host local() {
        String name = firstLine(Path.of("/proc/sys/kernel/hostname"));
        if (name.isEmpty()) {
            name = Objects.requireNonNullElse(System.getenv("HOSTNAME"), "localhost");
        }
        String id = firstLine(Path.of("/etc/machine-id"));
        if (id.isEmpty()) {
            id = firstLine(Path.of("/var/lib/dbus/machine-id"));
        }
        return new Host(name, id);
    }

    /** This host under another name (an operator's {@code --host-name}). */
    public Host withName(String newName) {
        return new Host(newName, id);
    }

    private static String firstLine(Path file) {
        try {
            // One read call: procfs files report size 0 (see ProcFiles in procmon-bpf).
            byte[] bytes;
            try (var in = Files.newInputStream(file)) {
                bytes = in.readNBytes(4096);
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl >= 0 ? text.substring(0, nl) : text).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
