package io.procmon.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Processes the real-kernel tests start, and what /proc says of them. */
final class TestProcesses {
    private TestProcesses() {
    }

    /** Starts a command, its output discarded. */
    static Process run(String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Starts a command as {@code uid} (and that gid, no other group), through setpriv. */
    static Process runAs(int uid, String... command) throws IOException {
        List<String> line = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        line.addAll(List.of(command));
        return run(line.toArray(String[]::new));
    }

    /** Field 22 of /proc/PID/stat: the start in clock ticks, after the command in parentheses. */
    static long startTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }
}
