package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerTest {
    static final String ID = "4f0e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    static final String POD = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    static final String POD_ = "0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0";
    static final String OTHER = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";
    static final String POD2 = "11111111-2222-3333-4444-555555555555";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/system.slice/docker-" + ID + ".scope|docker|" + ID + "|",
        "/docker/" + ID + "|docker|" + ID + "|",
        "/system.slice/cri-containerd-" + ID + ".scope|containerd|" + ID + "|",
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_ + ".slice/cri-containerd-" + ID + ".scope"
                + "|containerd|" + ID + "|" + POD,
        "/kubepods.slice/kubepods-pod" + POD_ + ".slice/crio-" + ID + ".scope|cri-o|" + ID + "|" + POD,
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + POD_ + ".slice/docker-" + ID + ".scope"
                + "|docker|" + ID + "|" + POD,
        "/kubepods/burstable/pod" + POD + "/" + ID + "||" + ID + "|" + POD,
        "/kubepods/pod" + POD + "/" + ID + "||" + ID + "|" + POD,
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_ + ".slice||" + "|" + POD,
        "/system.slice/containerd.service/kubepods-burstable-pod" + POD_ + ".slice:cri-containerd:" + ID
                + "|containerd|" + ID + "|" + POD,
        "/machine.slice/libpod-" + ID + ".scope|podman|" + ID + "|",
        "/machine.slice/libpod-" + ID + ".scope/container|podman|" + ID + "|",
        // A container's own cgroups belong to it; a name it gives them does not make another container.
        "/system.slice/docker-" + ID + ".scope/init.scope|docker|" + ID + "|",
        "/system.slice/docker-" + ID + ".scope/docker-" + OTHER + ".scope|docker|" + ID + "|",
        "/docker/" + ID + "/docker/" + OTHER + "|docker|" + ID + "|",
        "/machine.slice/libpod-" + ID + ".scope/container/libpod-" + OTHER + ".scope|podman|" + ID + "|",
        "/kubepods.slice/kubepods-pod" + POD_ + ".slice/crio-" + ID + ".scope/docker-" + OTHER + ".scope|cri-o|" + ID + "|" + POD,
        "/kubepods/pod" + POD + "/" + ID + "/kubepods/pod" + POD2 + "/" + OTHER + "||" + ID + "|" + POD,
    })
    void runtimesNameTheirCgroups(String path, String runtime, String id, String pod) {
        assertThat(Container.fromCgroupPath(path))
                .hasValue(new Container(nullToEmpty(runtime), nullToEmpty(id), nullToEmpty(pod)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/", "/init.scope", "/system.slice/sshd.service", "/user.slice/user-0.slice/session-3.scope",
        "/system.slice/docker-4f0e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f901234567.scope", // 63 hex
        "/system.slice/docker-4f0e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90123456789.scope", // 65 hex
        "/system.slice/docker-4f0e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f901234567g.scope", // non-hex
        "/docker/not-a-container-id",
        "/machine.slice/libpod-conmon-4f0e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678.scope",
        "/system.slice/crio-conmon-4f0e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678.scope",
        "/system.slice/docker.service",
        "/4f0e9b1c2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", // a bare id, no runtime or pod says so
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podnot_a_uid.slice",
    })
    void otherPathsNameNoContainer(String path) {
        assertThat(Container.fromCgroupPath(path)).isEqualTo(Optional.empty());
    }

    /** Cgroups an unprivileged user can make (a login's delegated user@UID.service, a service with Delegate=yes). */
    @ParameterizedTest
    @ValueSource(strings = {
        "/user.slice/user-1000.slice/user@1000.service/app.slice/docker-" + ID + ".scope",
        "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope/container", // rootless podman
        "/user.slice/user-1000.slice/user@1000.service/docker/" + ID,
        "/user.slice/user-1000.slice/user@1000.service/kubepods.slice/kubepods-pod" + POD_ + ".slice/crio-" + ID + ".scope",
        "/user.slice/user-1000.slice/user@1000.service/kubepods/pod" + POD + "/" + ID,
        "/user.slice/user-1000.slice/session-3.scope/system.slice/docker-" + ID + ".scope",
        "/system.slice/build.service/docker-" + ID + ".scope",
        "/system.slice/build.service/docker/" + ID,
        "/system.slice/containerd.service/delegated/kubepods-pod" + POD_ + ".slice:cri-containerd:" + ID,
        "/system.slice/libpod-" + ID + ".scope/../docker-" + ID + ".scope",
        "/machine.slice/docker-" + ID + ".scope",
        "/machine.slice/qemu-1-vm.scope/libpod-" + ID + ".scope",
        "/kubepods.slice/kubepods-burstable.slice/app.slice/kubepods-burstable-pod" + POD_ + ".slice/crio-" + ID + ".scope",
        "/kubepods/burstable/x/pod" + POD + "/" + ID,
        "/init.scope/docker/" + ID,
        "docker-" + ID + ".scope",
    })
    void namesInCgroupsAUserCanMakeAreNotContainers(String path) {
        assertThat(Container.fromCgroupPath(path)).isEqualTo(Optional.empty());
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
