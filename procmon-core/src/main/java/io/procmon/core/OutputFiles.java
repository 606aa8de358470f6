package io.procmon.core;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Opening an output as root, in directories other users may write ({@code /tmp}, a user's home).
 * The path is walked one component at a time from {@code /} with {@code openat(O_NOFOLLOW)}, so no
 * component can be swapped for a link between a check and the open; a symbolic link on the way is
 * followed only when it and its directory belong to root or to this user (as {@code /var/run} and
 * {@code /run}), never one another user planted. The file itself is opened with
 * {@code O_NOFOLLOW | O_NONBLOCK} (a FIFO cannot block the open), and refused unless it is a regular
 * file of this user's (or of the user who ran procmon through sudo) with one link: another user's file would receive every user's command lines, a
 * hard link would make root write into its target. Nothing is truncated before those checks.
 *
 * <p>A path under {@code /dev/} or {@code /proc/self/fd/} names a device or a stream explicitly
 * ({@code -o /dev/stdout}): it is opened as named, links followed, without those checks.
 */
public final class OutputFiles {
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_PATH = 010000000;
    private static final boolean ARM = System.getProperty("os.arch", "").startsWith("aarch64") || System.getProperty("os.arch", "").startsWith("arm");
    private static final int O_DIRECTORY = ARM ? 040000 : 0200000;
    private static final int O_NOFOLLOW = ARM ? 0100000 : 0400000;
    private static final int AT_FDCWD = -100;
    private static final int ELOOP = 40;
    private static final int ENXIO = 6;
    /** As the kernel's own limit on links followed in one lookup. */
    private static final int MAX_LINKS = 40;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /** The C library's calls, with their C names; package-private: the methods below are the API. */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private OutputFiles() {
    }

    /**
     * Opens {@code file} for writing, as described above: created with mode 0600 when absent;
     * emptied ({@code append} false) or appended to only once it has passed the checks.
     *
     * @throws IOException a {@link FileSystemException} naming the file and, in its reason, why it was refused
     */
    public static FileChannel openForWriting(Path file, boolean append) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        if (namesDeviceOrStream(absolute)) {
            return append ? FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                    : FileChannel.open(file, StandardOpenOption.WRITE);
        }
        Path name = absolute.getFileName();
        if (name == null) {
            throw refused(file, "is a directory");
        }
        int dir = openDirectory(file, absolute.getParent());
        try {
            int fd;
            try {
                fd = LibC.INSTANCE.openat(dir, name.toString(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
            } catch (LastErrorException e) {
                throw refused(file, e.getErrorCode() == ELOOP ? "is a symbolic link; refusing to follow it"
                        : e.getErrorCode() == ENXIO ? "is a FIFO; name it explicitly (/dev/..., /proc/self/fd/N) or use -o -"
                        : reason(e));
            }
            try {
                Path opened = Path.of("/proc/self/fd/" + fd);
                checkWritable(file, Files.readAttributes(opened, "unix:mode,uid,nlink"), // the magic link, followed
                        "name a device explicitly (/dev/..., /proc/self/fd/N) or use -o -");
                // Reopened through the descriptor: the very file checked, now a channel of Java's.
                FileChannel channel = append ? FileChannel.open(opened, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                        : FileChannel.open(opened, StandardOpenOption.WRITE);
                if (!append) {
                    channel.truncate(0);
                }
                return channel;
            } finally {
                close(fd);
            }
        } finally {
            close(dir);
        }
    }

    /**
     * Checks that a report may replace {@code file} by renaming a new file over it: its directory is
     * reached as above, and the file is absent or a regular file of this user's with one link.
     *
     * @return the directory, as a path through this process's descriptor of it ({@code /proc/self/fd/N/}),
     *     to create the new file in and rename it from; valid until {@link Replaceable#close()}
     */
    public static Replaceable checkReplaceable(Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        Path name = absolute.getFileName();
        if (name == null) {
            throw refused(file, "is a directory");
        }
        int dir = openDirectory(file, absolute.getParent());
        Path held = Path.of("/proc/self/fd/" + dir);
        try {
            Path target = held.resolve(name.toString());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                checkWritable(file, Files.readAttributes(target, "unix:mode,uid,nlink", LinkOption.NOFOLLOW_LINKS),
                        "a rename would replace it; use -o - for a stream");
            }
        } catch (IOException | RuntimeException e) {
            close(dir);
            throw e;
        }
        return new Replaceable(held, name.toString(), dir);
    }

    /** A directory held open for {@link #checkReplaceable}; closing it releases the descriptor. */
    public static final class Replaceable implements AutoCloseable {
        private final Path directory;
        private final String name;
        private final int fd;

        Replaceable(Path directory, String name, int fd) {
            this.directory = directory;
            this.name = name;
            this.fd = fd;
        }

        /** The directory, through its descriptor. */
        public Path directory() {
            return directory;
        }

        /** The file to replace, in {@link #directory()}. */
        public Path target() {
            return directory.resolve(name);
        }

        @Override
        public void close() {
            OutputFiles.close(fd);
        }
    }

    private static boolean namesDeviceOrStream(Path absolute) {
        return absolute.startsWith("/dev") || absolute.startsWith("/proc/self/fd");
    }

    /** Refuses what is not a regular file of this user's with one link, from its {@code unix:} attributes. */
    private static void checkWritable(Path file, Map<String, Object> attrs, String otherwise) throws IOException {
        int type = (Integer) attrs.get("mode") & S_IFMT;
        if (type != S_IFREG) {
            throw refused(file, "is " + typeName(type) + ", not a regular file; " + otherwise);
        }
        int uid = (Integer) attrs.get("uid");
        if (uid != euid() && uid != invoker()) {
            throw refused(file, "belongs to uid " + Integer.toUnsignedString(uid) + ", not to this user; refusing to write into "
                    + "another user's file");
        }
        int links = (Integer) attrs.get("nlink");
        if (links != 1) {
            throw refused(file, "has " + links + " hard links; refusing to write through a link");
        }
    }

    /**
     * Opens {@code directory} by walking it from {@code /}, each component with {@code O_NOFOLLOW}; a
     * symbolic link is resolved by hand, and only when it and the directory holding it belong to root or
     * to this user.
     *
     * @return a descriptor of the directory (O_PATH)
     */
    private static int openDirectory(Path file, Path directory) throws IOException {
        Deque<String> todo = new ArrayDeque<>(parts(directory));
        int dir = open(file, AT_FDCWD, "/");
        int links = 0;
        try {
            while (!todo.isEmpty()) {
                String part = todo.pollFirst();
                if (part.equals("..")) {
                    int parent = open(file, dir, "..");
                    close(dir);
                    dir = parent;
                    continue;
                }
                Path here = Path.of("/proc/self/fd/" + dir);
                Path entry = here.resolve(part);
                Map<String, Object> attrs;
                try {
                    attrs = Files.readAttributes(entry, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
                } catch (java.nio.file.NoSuchFileException e) {
                    throw refused(file, "no such file or directory");
                }
                int type = (Integer) attrs.get("mode") & S_IFMT;
                if (type == S_IFLNK) {
                    if (++links > MAX_LINKS) {
                        throw refused(file, "too many symbolic links in " + directory);
                    }
                    int owner = (Integer) attrs.get("uid");
                    Map<String, Object> holder = Files.readAttributes(here, "unix:mode,uid");
                    if (!trusted(owner) || !trusted((Integer) holder.get("uid")) || writableByOthers((Integer) holder.get("mode"))) {
                        throw refused(file, "its directory goes through a symbolic link (" + part + ") that another user controls");
                    }
                    Path target = Files.readSymbolicLink(entry);
                    List<String> next = parts(target);
                    for (int i = next.size() - 1; i >= 0; i--) {
                        todo.addFirst(next.get(i));
                    }
                    if (target.isAbsolute()) {
                        close(dir);
                        dir = open(file, AT_FDCWD, "/");
                    }
                    continue;
                }
                if (type != S_IFDIR) {
                    throw refused(file, "not a directory: " + part + " in " + directory);
                }
                int child = open(file, dir, part);
                close(dir);
                dir = child;
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            close(dir);
            throw e;
        }
    }

    private static int open(Path file, int dir, String name) throws IOException {
        try {
            return LibC.INSTANCE.openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            // A component swapped for a link since it was read is refused here, not followed.
            throw refused(file, "cannot open its directory " + name + ": " + reason(e));
        }
    }

    private static List<String> parts(Path path) {
        List<String> parts = new ArrayList<>();
        for (Path p : path) {
            if (!p.toString().isEmpty() && !p.toString().equals(".")) {
                parts.add(p.toString());
            }
        }
        return parts;
    }

    private static boolean trusted(int uid) {
        return uid == 0 || uid == euid() || uid == invoker();
    }

    /**
     * The user who ran procmon through sudo ({@code SUDO_UID}), or -1: they chose the path on the
     * command line anyway, so their own files and links are no trap; the users to guard against
     * are the others.
     */
    private static int invoker() {
        String sudo = System.getenv("SUDO_UID");
        if (sudo == null || euid() != 0) {
            return -1;
        }
        try {
            return Integer.parseInt(sudo);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Group- or other-writable and not sticky: another user could replace what is in it. */
    private static boolean writableByOthers(int mode) {
        return (mode & 022) != 0 && (mode & 01000) == 0;
    }

    /** The effective uid, read once (a JVM does not change it); -1 until read. */
    private static volatile int euid = -1;

    private static int euid() {
        if (euid < 0) {
            try {
                euid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // /proc/self belongs to the effective uid
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read /proc/self", e);
            }
        }
        return euid;
    }

    private static String typeName(int type) {
        return switch (type) {
            case S_IFIFO -> "a FIFO";
            case S_IFCHR -> "a character device";
            case S_IFDIR -> "a directory";
            case S_IFLNK -> "a symbolic link";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "a special file";
        };
    }

    private static String reason(LastErrorException e) {
        return switch (e.getErrorCode()) {
            case 2 -> "no such file or directory";
            case 13 -> "permission denied";
            case 20 -> "not a directory";
            case 21 -> "is a directory";
            case 28 -> "no space left on device";
            case 30 -> "read-only file system";
            default -> "error " + e.getErrorCode() + " (" + e.getMessage() + ")";
        };
    }

    private static FileSystemException refused(Path file, String reason) {
        return new FileSystemException(file.toString(), null, reason);
    }

    private static void close(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            // a descriptor of ours, opened above: nothing to report
        }
    }
}
