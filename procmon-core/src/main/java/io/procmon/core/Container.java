package io.procmon.core;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container (and Kubernetes pod) a cgroup path belongs to, as container runtimes name their
 * cgroups. Recognised, under the systemd and cgroupfs drivers:
 * <ul>
 *   <li>docker: {@code docker-<64 hex>.scope}, {@code /docker/<64 hex>}</li>
 *   <li>containerd: {@code cri-containerd-<64 hex>.scope}, {@code ...:cri-containerd:<64 hex>}</li>
 *   <li>CRI-O: {@code crio-<64 hex>.scope} (not {@code crio-conmon-...})</li>
 *   <li>podman: {@code libpod-<64 hex>.scope} and its {@code container} subdirectory (not
 *       {@code libpod-conmon-...}, the monitor beside it)</li>
 *   <li>Kubernetes pods: {@code kubepods[-burstable|-besteffort]-pod<uid with _>.slice} and
 *       {@code /kubepods[/burstable|/besteffort]/pod<uid>/<64 hex>}</li>
 * </ul>
 *
 * @param runtime {@code docker}, {@code containerd}, {@code cri-o}, {@code podman}; empty when only a
 *     pod or a bare container id under a cgroupfs kubepods tree says so
 * @param id the 64-hex container id; empty for a process of a pod outside any container
 * @param podUid the Kubernetes pod UID (with dashes), empty outside Kubernetes
 */
public record Container(String runtime, String id, String podUid) {
    private static final String HEX64 = "([0-9a-f]{64})";
    private static final Pattern SCOPE = Pattern.compile("(docker|cri-containerd|crio|libpod)-" + HEX64 + "\\.scope");
    private static final Pattern CRI_CONTAINERD = Pattern.compile(".*:cri-containerd:" + HEX64);
    private static final Pattern BARE_ID = Pattern.compile(HEX64);
    private static final Pattern POD_SLICE = Pattern.compile("kubepods(?:-[a-z]+)*-pod([0-9a-f_]{36})\\.slice");
    private static final Pattern POD_DIR = Pattern.compile("pod([0-9a-f-]{36})");
    private static final Pattern UID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** Parses a cgroup path ({@code /system.slice/docker-<id>.scope}); empty when it names no container or pod. */
    public static Optional<Container> fromCgroupPath(String path) {
        String runtime = "";
        String id = "";
        String pod = "";
        String parent = null;
        for (String part : path.split("/")) {
            Matcher m;
            if ((m = SCOPE.matcher(part)).matches()) {
                runtime = runtimeName(m.group(1));
                id = m.group(2);
            } else if ((m = CRI_CONTAINERD.matcher(part)).matches()) {
                runtime = "containerd";
                id = m.group(1);
                Matcher slice = POD_SLICE.matcher(part.substring(0, part.indexOf(':')));
                if (slice.matches() && isUid(slice.group(1).replace('_', '-'))) {
                    pod = slice.group(1).replace('_', '-'); // systemd driver's "slice:cri-containerd:id" form
                }
            } else if ((m = POD_SLICE.matcher(part)).matches() && isUid(m.group(1).replace('_', '-'))) {
                pod = m.group(1).replace('_', '-');
            } else if ((m = POD_DIR.matcher(part)).matches() && isUid(m.group(1)) && isKubepods(path)) {
                pod = m.group(1);
            } else if (BARE_ID.matcher(part).matches()) {
                if ("docker".equals(parent)) {
                    runtime = "docker";
                    id = part;
                } else if (!pod.isEmpty()) {
                    id = part; // cgroupfs driver: kubepods/<qos>/pod<uid>/<id>, the runtime unnamed
                }
            }
            parent = part;
        }
        if (id.isEmpty() && pod.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Container(runtime, id, pod));
    }

    private static boolean isKubepods(String path) {
        return path.startsWith("/kubepods/") || path.contains("/kubepods/") || path.startsWith("kubepods/");
    }

    private static boolean isUid(String text) {
        return UID.matcher(text).matches();
    }

    private static String runtimeName(String prefix) {
        switch (prefix) {
            case "cri-containerd":
                return "containerd";
            case "crio":
                return "cri-o";
            case "libpod":
                return "podman";
            default:
                return prefix;
        }
    }
}
