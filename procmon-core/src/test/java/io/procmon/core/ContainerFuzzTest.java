package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for container identity: any cgroup path (a user names the directories of a
 * delegated subtree) parses without an exception, and a container is found only at a place a
 * runtime running as root makes it, never below a user's slice or a delegated service.
 */
class ContainerFuzzTest {

    @FuzzTest
    void anyPathParsesAndNoUserSubtreeNamesAContainer(byte[] bytes) {
        String path = new String(bytes, StandardCharsets.UTF_8);
        Container.fromCgroupPath(path).ifPresent(c -> {
            String first = path.startsWith("/") ? path.substring(1).split("/", 2)[0] : path.split("/", 2)[0];
            assertThat(first).isIn("system.slice", "machine.slice", "docker", "kubepods.slice", "kubepods");
            assertThat(path).doesNotContain("user.slice").doesNotContain("user@");
            assertThat(c.id()).matches("|[0-9a-f]{64}");
            assertThat(c.podUid()).matches("|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(c.runtime()).isIn("", "docker", "containerd", "cri-o", "podman");
            assertThat(c.id().isEmpty() && c.podUid().isEmpty()).isFalse();
        });
    }
}
