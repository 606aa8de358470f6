package io.procmon.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Enables {@link BpfTest}s where eBPF can run, or always when CI requires them; and checks after
 * each one that it left nothing behind: no BPF or perf fd of this JVM and no {@code procmon_}
 * program or map in the kernel that was not there before it (whatever options it ran with, in
 * this JVM or in a monitor it started).
 */
public final class BpfAvailable implements ExecutionCondition, BeforeEachCallback, AfterEachCallback {
    /**
     * The CI switch: {@code 1}, {@code true} or {@code yes} make every eBPF test run (and fail with
     * the real error where eBPF cannot); {@code 0}, {@code false}, {@code no} or unset let them skip
     * loudly. Any other value is a mistake, and fails the tests rather than skipping them.
     */
    public static final String REQUIRE_ENV = "PROCMON_REQUIRE_BPF";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BpfAvailable.class);
    private static final Pattern OBJECT = Pattern.compile("(?m)^(\\d+): \\S+\\s+name (procmon_\\S*)");

    /** Whether CI requires the eBPF tests to run. */
    public static boolean required() {
        String value = System.getenv(REQUIRE_ENV);
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes" -> true;
            case "", "0", "false", "no" -> false;
            default -> throw new IllegalStateException(REQUIRE_ENV + " must be 1 (true, yes) or 0 (false, no), got '" + value + "'");
        };
    }

    /**
     * For a test that needs something of the host's kernel beyond {@link BpfTest} (BTF readable by
     * anyone, a cgroup hierarchy): skips loudly without it, or fails when CI requires eBPF tests.
     */
    public static void assumeKernelHas(boolean present, String what) {
        if (required() && !present) {
            throw new AssertionError(REQUIRE_ENV + " is set but this kernel lacks " + what);
        }
        if (!present) {
            System.err.println("!!!!! SKIPPING: this kernel lacks " + what + " (set " + REQUIRE_ENV + "=1 to fail instead)");
        }
        Assumptions.assumeTrue(present, "this kernel lacks " + what);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (required()) {
            return ConditionEvaluationResult.enabled(REQUIRE_ENV + " is set: eBPF tests must run");
        }
        try {
            Preflight.check();
            return ConditionEvaluationResult.enabled("eBPF available");
        } catch (BpfException e) {
            String reason = "SKIPPING eBPF TEST " + context.getDisplayName() + ": eBPF cannot run here: " + e.getMessage()
                    + " (set " + REQUIRE_ENV + "=1 to fail instead)";
            System.err.println("!!!!! " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        store.put("fds", bpfFds());
        store.put("objects", kernelObjects());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterEach(ExtensionContext context) throws IOException {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Map<String, Long> fdsBefore = store.get("fds", Map.class);
        Set<String> objectsBefore = store.get("objects", Set.class);
        if (fdsBefore == null) {
            return; // beforeEach did not run
        }
        Map<String, Long> fds = bpfFds();
        if (!fds.equals(fdsBefore)) {
            throw new AssertionError("the test left BPF or perf fds open in this JVM: " + fds + ", before it: " + fdsBefore);
        }
        // The kernel frees a closed program or map from a work queue, a moment after its last fd
        // closes: a leak stays, a free in progress goes within milliseconds.
        Set<String> left = kernelObjects();
        left.removeAll(objectsBefore);
        for (int i = 0; i < 100 && !left.isEmpty(); i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = kernelObjects();
            left.removeAll(objectsBefore);
        }
        if (!left.isEmpty()) {
            throw new AssertionError("the test left procmon's programs or maps loaded in the kernel: " + left);
        }
    }

    /** This JVM's fds that are BPF maps, programs or perf events, counted by kind. */
    public static Map<String, Long> bpfFds() throws IOException {
        Map<String, Long> kinds = new HashMap<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("anon_inode:bpf") || target.contains("perf_event")) {
                        kinds.merge(target, 1L, Long::sum);
                    }
                } catch (IOException gone) {
                    // the fd of the listing itself
                }
            }
        }
        return kinds;
    }

    /** procmon's programs and maps the kernel holds, as "prog 12 procmon_exec", by {@code bpftool}. */
    public static Set<String> kernelObjects() throws IOException {
        Set<String> objects = new TreeSet<>();
        for (String kind : new String[] {"prog", "map"}) {
            try {
                Process bpftool = new ProcessBuilder("bpftool", kind, "list").redirectErrorStream(true).start();
                String out = new String(bpftool.getInputStream().readAllBytes());
                if (bpftool.waitFor() != 0) {
                    throw new IOException("bpftool " + kind + " list: " + out);
                }
                Matcher m = OBJECT.matcher(out);
                while (m.find()) {
                    objects.add(kind + " " + m.group(1) + " " + m.group(2));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        return objects;
    }
}
