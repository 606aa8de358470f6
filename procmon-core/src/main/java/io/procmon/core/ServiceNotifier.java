package io.procmon.core;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a service manager how the service is doing, by systemd's notification protocol: one
 * datagram per state ({@code READY=1}, {@code STOPPING=1}) to the {@code AF_UNIX} socket named by
 * {@code $NOTIFY_SOCKET} (a path, or {@code @name} in the abstract namespace). Without that
 * variable (not started by systemd as {@code Type=notify}) every call does nothing. The socket is
 * reached through the C library, as Java's own channels have no {@code AF_UNIX} datagrams before
 * Java 21. A failed send is logged, never thrown: a service's work must not depend on it.
 */
public final class ServiceNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceNotifier.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** {@code sizeof(struct sockaddr_un)}: a 2-byte family and 108 bytes of path. */
    static final int SOCKADDR_UN_SIZE = 110;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol);

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

        int close(int fd);
    }

    private final byte[] address; // null: nobody to notify
    private final String socketName;

    private ServiceNotifier(String socketName) {
        this.socketName = socketName;
        this.address = socketName == null ? null : sockaddr(socketName);
    }

    /** The notifier of this process's service manager: {@code $NOTIFY_SOCKET}'s, or one that does nothing. */
    public static ServiceNotifier fromEnvironment() {
        String socket = System.getenv("NOTIFY_SOCKET");
        try {
            return to(socket == null || socket.isEmpty() ? null : socket);
        } catch (IllegalArgumentException e) {
            LOG.warn("NOTIFY_SOCKET ignored: {}", e.getMessage());
            return to(null);
        }
    }

    /** A notifier of the given socket (a path, or {@code @name} for the abstract namespace); null: none. */
    public static ServiceNotifier to(String socket) {
        return new ServiceNotifier(socket);
    }

    /** Whether there is a service manager to notify. */
    public boolean active() {
        return address != null;
    }

    /** The service is up: for procmon, once its programs are attached. */
    public boolean ready() {
        return send("READY=1");
    }

    /** The service is stopping: draining what it received. */
    public boolean stopping() {
        return send("STOPPING=1");
    }

    /**
     * Sends one notification (lines of {@code NAME=value}).
     *
     * @return whether it was sent; false without a socket or when the send failed (logged)
     */
    public boolean send(String state) {
        if (address == null) {
            return false;
        }
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        int fd = LibC.INSTANCE.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            LOG.warn("cannot notify the service manager at {}: socket: errno {}", socketName, Native.getLastError());
            return false;
        }
        try {
            long sent = LibC.INSTANCE.sendto(fd, message, message.length, MSG_NOSIGNAL, address, addressLength(socketName));
            if (sent != message.length) {
                LOG.warn("cannot notify the service manager at {}: sendto: errno {}", socketName, Native.getLastError());
                return false;
            }
            return true;
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    /** {@code struct sockaddr_un} for the name: {@code @} at its start means the abstract namespace (a NUL byte). */
    static byte[] sockaddr(String socketName) {
        byte[] path = socketName.getBytes(StandardCharsets.UTF_8);
        if (path.length == 0 || path.length > SOCKADDR_UN_SIZE - 3) {
            throw new IllegalArgumentException("not a notification socket (empty, or over 107 bytes): " + socketName);
        }
        ByteBuffer address = ByteBuffer.allocate(SOCKADDR_UN_SIZE).order(ByteOrder.nativeOrder());
        address.putShort((short) AF_UNIX).put(path);
        byte[] bytes = address.array();
        if (path[0] == '@') {
            bytes[2] = 0;
        }
        return bytes;
    }

    /** The address's length: an abstract name counts exactly its bytes, a path its terminating NUL too. */
    static int addressLength(String socketName) {
        int length = 2 + socketName.getBytes(StandardCharsets.UTF_8).length;
        return socketName.startsWith("@") ? length : length + 1;
    }
}
