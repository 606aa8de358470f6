package io.procmon.core;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Ready filters for {@link Monitor.Builder#filter}. Combine them with {@link Predicate#and}.
 * The eBPF source can apply the uid, duration and failure filters in the kernel too, which
 * saves the cost of sending what would be dropped; the command filters run only here.
 */
public final class EventFilters {
    private EventFilters() {
    }

    /** Processes of this real uid. */
    public static Predicate<ProcessEvent> uid(int uid) {
        return e -> e.uid() == uid;
    }

    /** Processes whose command matches a shell glob ({@code *}, {@code ?}, {@code [..]}), whole. */
    public static Predicate<ProcessEvent> commandGlob(String glob) {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob.replace("/", "\\/"));
        return e -> {
            String command = e.command();
            return !command.contains("/") && matcher.matches(Path.of(command));
        };
    }

    /** Processes whose command contains a match of {@code regex} (use ^...$ to match whole). */
    public static Predicate<ProcessEvent> commandRegex(Pattern regex) {
        return e -> regex.matcher(e.command()).find();
    }

    /** Processes that lived at least {@code min}. */
    public static Predicate<ProcessEvent> minDuration(Duration min) {
        long nanos = min.toNanos();
        return e -> e.durationNanos() >= nanos;
    }

    /** Processes that exited with a non-zero status or were killed by a signal. */
    public static Predicate<ProcessEvent> failed() {
        return e -> e.exitCode() > 0;
    }

    /** Processes in a container whose id starts with {@code prefix} (as {@code docker ps} shortens ids). */
    public static Predicate<ProcessEvent> containerIdPrefix(String prefix) {
        return e -> e.container().map(c -> !c.id().isEmpty() && c.id().startsWith(prefix)).orElse(false);
    }

    /**
     * Processes whose cgroup path is {@code prefix} or below it, by whole path components
     * ({@code /system.slice} matches {@code /system.slice/x.service}, not {@code /system.slice2}).
     */
    public static Predicate<ProcessEvent> cgroupPrefix(String prefix) {
        String base = prefix.endsWith("/") && prefix.length() > 1 ? prefix.substring(0, prefix.length() - 1) : prefix;
        return e -> e.cgroupPath().map(p -> p.equals(base) || "/".equals(base) || p.startsWith(base + "/")).orElse(false);
    }
}
