package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.Container;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real cgroups, v2 and a v1 controller's, named and placed as container runtimes make theirs: a
 * process run in each is reported with the cgroup's id and path and the container it names, also
 * when the cgroup was made after the monitor started and removed right after the process ended.
 * The same name where a runtime does not put it (a subtree a user can be delegated) names none.
 */
@BpfTest
class CgroupIT {
    static final String DOCKER = "d0c4e7".repeat(10) + "d0c4";
    static final String CONTAINERD = "c0a1".repeat(16);
    static final String PODMAN = "90d3".repeat(16);
    static final String CRIO = "c210".repeat(16);
    static final String K8S = "4b5a".repeat(16);
    static final String POD = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    private final List<Path> made = new ArrayList<>();
    private BpfEventSource source;

    @AfterEach
    void removeCgroups() throws IOException {
        if (source != null) {
            source.close();
        }
        for (int i = made.size() - 1; i >= 0; i--) {
            Files.deleteIfExists(made.get(i));
        }
    }

    @Test
    void processesAreNamedAfterTheirCgroupAndContainer() throws Exception {
        CgroupResolver hierarchies = CgroupResolver.discover();
        Path v2 = mountOf("cgroup2", null);
        Path v1 = mountOf("cgroup", hierarchies.v1Controller());
        assertThat(v2).as("a cgroup v2 mount").isNotNull();
        assertThat(v1).as("a v1 controller's mount (%s)", hierarchies.v1Controller()).isNotNull();

        // Made before the monitor starts: found by walking the hierarchies.
        Path docker = mkdirs(v2, "system.slice", "docker-" + DOCKER + ".scope");
        Path kubepods = mkdirs(v1, "kubepods", "burstable", "pod" + POD, K8S);

        RecordingListener recorder = new RecordingListener();
        source = new BpfEventSource(BpfOptions.builder().cgroups(true).build());
        source.start(recorder);

        // Made after it started: named by the cgroup_mkdir program.
        Path containerd = mkdirs(v2, "kubepods.slice", "kubepods-burstable.slice",
                "kubepods-burstable-pod" + POD.replace('-', '_') + ".slice", "cri-containerd-" + CONTAINERD + ".scope");
        Path podman = mkdirs(v2, "machine.slice", "libpod-" + PODMAN + ".scope", "container");
        Path crio = mkdirs(v2, "system.slice", "crio-" + CRIO + ".scope");
        // As a login's delegated user@UID.service would let its user make it.
        Path forged = mkdirs(v2, "procmon-it.slice", "user@1000.service", "app.slice", "docker-" + DOCKER + ".scope");

        List<Expected> expected = new ArrayList<>();
        expected.add(runIn(docker, v2, new Container("docker", DOCKER, "")));
        expected.add(runIn(containerd, v2, new Container("containerd", CONTAINERD, POD)));
        expected.add(runIn(podman, v2, new Container("podman", PODMAN, "")));
        expected.add(runIn(forged, v2, null));
        // A hybrid host: in v2's root cgroup, a process is named by its v1 controller's cgroup.
        expected.add(runIn(kubepods, v1, new Container("", K8S, POD), v2));
        // Removed right after its process ends, before the event is read.
        Expected shortLived = runIn(crio, v2, new Container("cri-o", CRIO, ""));
        Files.delete(crio);
        made.remove(crio);
        expected.add(shortLived);

        for (Expected e : expected) {
            List<ProcessEvent> events = recorder.await(x -> x.pid() == e.pid, 1, Duration.ofSeconds(10));
            assertThat(events).as("events of %s", e).hasSize(1);
            ProcessEvent event = events.get(0);
            assertThat(event.cgroupId()).as("cgroup id of %s", e).isEqualTo(e.id);
            assertThat(event.cgroupPath()).as("cgroup path of %s", e).hasValue(e.path);
            assertThat(event.container()).as("container of %s", e).isEqualTo(java.util.Optional.ofNullable(e.container));
        }
    }

    /** @param container null where the path names none */
    record Expected(long pid, long id, String path, Container container) {
    }

    private Expected runIn(Path cgroup, Path mount, Container container) throws Exception {
        return runIn(cgroup, mount, container, null);
    }

    /** Runs a process in {@code cgroup}, and first in {@code v2Root}'s root cgroup unless null. */
    private Expected runIn(Path cgroup, Path mount, Container container, Path v2Root) throws Exception {
        long id = ((Number) Files.getAttribute(cgroup, "unix:ino")).longValue();
        String first = v2Root == null ? "" : "echo $$ > \"$2/cgroup.procs\" && ";
        Process p = new ProcessBuilder("sh", "-c", first + "echo $$ > \"$1/cgroup.procs\" && exec sleep 0.1", "sh", cgroup.toString(),
                String.valueOf(v2Root)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("moving into %s: %s", cgroup, out).isZero();
        return new Expected(p.pid(), id, "/" + mount.relativize(cgroup), container);
    }

    private Path mkdirs(Path mount, String... parts) throws IOException {
        Path dir = mount;
        for (String part : parts) {
            dir = dir.resolve(part);
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir);
                made.add(dir);
            }
        }
        return dir;
    }

    /** The mount point of a cgroup file system (for v1, the one with {@code controller}). */
    static Path mountOf(String type, String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            String[] left = halves[0].split(" ");
            String[] right = halves.length > 1 ? halves[1].split(" ") : new String[0];
            if (right.length >= 3 && right[0].equals(type) && "/".equals(left[3])
                    && (controller == null || List.of(right[2].split(",")).contains(controller))) {
                return Path.of(left[4]);
            }
        }
        return null;
    }
}
