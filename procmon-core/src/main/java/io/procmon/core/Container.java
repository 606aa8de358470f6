package io.procmon.core;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container (and Kubernetes pod) a cgroup path belongs to, as container runtimes name their
 * cgroups, and only where they make them: any user who is delegated a cgroup subtree (every
 * login's {@code user@UID.service}, a service with {@code Delegate=yes}, a container's own
 * namespace) can name a directory {@code docker-<id>.scope}, so a name counts only at the place a
 * runtime running as root puts it, directly below a root-owned parent:
 * <ul>
 *   <li>docker: {@code /system.slice/docker-<64 hex>.scope}, {@code /docker/<64 hex>}</li>
 *   <li>containerd: {@code /system.slice/cri-containerd-<64 hex>.scope},
 *       {@code /system.slice/containerd.service/<pod slice>:cri-containerd:<64 hex>}</li>
 *   <li>CRI-O: {@code /system.slice/crio-<64 hex>.scope} (not {@code crio-conmon-...})</li>
 *   <li>podman (as root): {@code /machine.slice/libpod-<64 hex>.scope} and what is below it (not
 *       {@code libpod-conmon-...}, the monitor beside it)</li>
 *   <li>Kubernetes pods: {@code /kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod<uid with _>.slice}
 *       with a {@code docker-}, {@code cri-containerd-} or {@code crio-} scope directly below, and
 *       {@code /kubepods[/<qos>]/pod<uid>[/<64 hex>]}</li>
 * </ul>
 * Whatever lies deeper (a container's own cgroups) belongs to the container found above it.
 * Rootless containers live in their user's delegated subtree, where they cannot be told from a
 * forgery: they are reported by cgroup path only.
 *
 * @param runtime {@code docker}, {@code containerd}, {@code cri-o}, {@code podman}; empty when only a
 *     pod or a bare container id under a cgroupfs kubepods tree says so
 * @param id the 64-hex container id; empty for a process of a pod outside any container
 * @param podUid the Kubernetes pod UID (with dashes), empty outside Kubernetes
 */
public record Container(String runtime, String id, String podUid) {
    private static final String HEX64 = "([0-9a-f]{64})";
    private static final Pattern SCOPE = Pattern.compile("(docker|cri-containerd|crio|libpod)-" + HEX64 + "\\.scope");
    private static final Pattern POD_SLICE_CRI_CONTAINERD = Pattern.compile("(.*):cri-containerd:" + HEX64);
    private static final Pattern BARE_ID = Pattern.compile(HEX64);
    private static final Pattern QOS_SLICE = Pattern.compile("kubepods-(burstable|besteffort)\\.slice");
    private static final Pattern POD_SLICE = Pattern.compile("kubepods(?:-(burstable|besteffort))?-pod([0-9a-f_]{36})\\.slice");
    private static final Pattern POD_DIR = Pattern.compile("pod([0-9a-f-]{36})");
    private static final Pattern UID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** Parses a cgroup path ({@code /system.slice/docker-<id>.scope}); empty when it names no container or pod. */
    public static Optional<Container> fromCgroupPath(String path) {
        String[] parts = path.startsWith("/") ? path.substring(1).split("/", 6) : path.split("/", 6);
        return switch (parts[0]) {
            case "system.slice" -> systemSlice(parts);
            case "machine.slice" -> at(parts, 1).flatMap(p -> scope(p, "podman"));
            case "docker" -> at(parts, 1).filter(p -> BARE_ID.matcher(p).matches()).map(id -> new Container("docker", id, ""));
            case "kubepods.slice" -> kubepodsSlice(parts);
            case "kubepods" -> kubepodsDirectories(parts);
            default -> Optional.empty();
        };
    }

    /** Docker, containerd and CRI-O scopes directly below {@code /system.slice}, and containerd's pod form in its service. */
    private static Optional<Container> systemSlice(String[] parts) {
        Optional<Container> scope = at(parts, 1).flatMap(p -> scope(p, "docker", "containerd", "cri-o"));
        if (scope.isPresent() || !at(parts, 1).orElse("").equals("containerd.service")) {
            return scope;
        }
        return at(parts, 2).map(POD_SLICE_CRI_CONTAINERD::matcher).filter(Matcher::matches)
                .map(m -> new Container("containerd", m.group(2), podUid(m.group(1)).orElse("")));
    }

    /** {@code /kubepods.slice[/kubepods-QOS.slice]/kubepods[-QOS]-podUID.slice[/RUNTIME-ID.scope]}. */
    private static Optional<Container> kubepodsSlice(String[] parts) {
        int pod = at(parts, 1).filter(p -> QOS_SLICE.matcher(p).matches()).isPresent() ? 2 : 1;
        Optional<String> uid = at(parts, pod).flatMap(Container::podUid);
        if (uid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(at(parts, pod + 1).flatMap(p -> scope(p, "docker", "containerd", "cri-o"))
                .map(c -> new Container(c.runtime(), c.id(), uid.get()))
                .orElse(new Container("", "", uid.get())));
    }

    /** {@code /kubepods[/QOS]/podUID[/ID]}, the cgroupfs driver's layout; the runtime is unnamed. */
    private static Optional<Container> kubepodsDirectories(String[] parts) {
        int pod = at(parts, 1).filter(p -> p.equals("burstable") || p.equals("besteffort")).isPresent() ? 2 : 1;
        Optional<String> uid = at(parts, pod).map(POD_DIR::matcher).filter(m -> m.matches() && isUid(m.group(1))).map(m -> m.group(1));
        return uid.map(u -> new Container("", at(parts, pod + 1).filter(p -> BARE_ID.matcher(p).matches()).orElse(""), u));
    }

    /** The container of a {@code RUNTIME-ID.scope} directory, when its runtime is one of {@code runtimes}. */
    private static Optional<Container> scope(String part, String... runtimes) {
        Matcher m = SCOPE.matcher(part);
        if (!m.matches()) {
            return Optional.empty();
        }
        String runtime = runtimeName(m.group(1));
        return java.util.Arrays.asList(runtimes).contains(runtime) ? Optional.of(new Container(runtime, m.group(2), "")) : Optional.empty();
    }

    /** The pod UID of a {@code kubepods[-QOS]-podUID.slice} directory (UID with underscores), with dashes. */
    private static Optional<String> podUid(String part) {
        Matcher m = POD_SLICE.matcher(part);
        return m.matches() && isUid(m.group(2).replace('_', '-')) ? Optional.of(m.group(2).replace('_', '-')) : Optional.empty();
    }

    private static Optional<String> at(String[] parts, int index) {
        return index < parts.length ? Optional.of(parts[index]) : Optional.empty();
    }

    private static boolean isUid(String text) {
        return UID.matcher(text).matches();
    }

    private static String runtimeName(String prefix) {
        return switch (prefix) {
            case "cri-containerd" -> "containerd";
            case "crio" -> "cri-o";
            case "libpod" -> "podman";
            default -> prefix;
        };
    }
}
