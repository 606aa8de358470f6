package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifications arrive at a real AF_UNIX datagram socket, as systemd's, bound here through the C library. */
class ServiceNotifierTest {

    interface Receiver extends Library {
        Receiver LIBC = Native.load("c", Receiver.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] addr, int addrlen);

        long recv(int fd, byte[] buf, long len, int flags);

        int close(int fd);
    }

    private static final int MSG_DONTWAIT = 0x40;

    /** A bound receiving socket; the datagrams it got, one by one. */
    private static final class Bound implements AutoCloseable {
        final int fd;

        Bound(String name) {
            fd = Receiver.LIBC.socket(1, 2, 0);
            assertThat(fd).isNotNegative();
            int rc = Receiver.LIBC.bind(fd, ServiceNotifier.sockaddr(name), ServiceNotifier.addressLength(name));
            assertThat(rc).as("bind %s: errno %d", name, Native.getLastError()).isZero();
        }

        String next() {
            byte[] buf = new byte[4096];
            long n = Receiver.LIBC.recv(fd, buf, buf.length, MSG_DONTWAIT);
            return n < 0 ? null : new String(buf, 0, (int) n, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            Receiver.LIBC.close(fd);
        }
    }

    @Test
    void readyAndStoppingReachASocketAtAPath(@TempDir Path dir) {
        String path = dir.resolve("notify").toString();
        try (Bound socket = new Bound(path)) {
            ServiceNotifier notifier = ServiceNotifier.to(path);
            assertThat(notifier.active()).isTrue();
            assertThat(notifier.ready()).isTrue();
            assertThat(notifier.stopping()).isTrue();
            assertThat(socket.next()).isEqualTo("READY=1");
            assertThat(socket.next()).isEqualTo("STOPPING=1");
            assertThat(socket.next()).isNull();
        }
    }

    @Test
    void anAbstractNameStartsWithAnAt() {
        String name = "@procmon-test-" + ProcessHandle.current().pid();
        try (Bound socket = new Bound(name)) {
            assertThat(ServiceNotifier.to(name).send("STATUS=recording\nREADY=1")).isTrue();
            assertThat(socket.next()).isEqualTo("STATUS=recording\nREADY=1");
        }
    }

    @Test
    void withoutASocketNothingIsSentAndASocketGoneIsNotAnError(@TempDir Path dir) {
        assertThat(ServiceNotifier.to(null).ready()).isFalse();
        assertThat(ServiceNotifier.to(null).active()).isFalse();
        assertThat(ServiceNotifier.to(dir.resolve("nobody-listens").toString()).ready()).isFalse();
        assertThatThrownBy(() -> ServiceNotifier.to("/" + "x".repeat(200))).isInstanceOf(IllegalArgumentException.class);
    }
}
