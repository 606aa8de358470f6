package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root opening its output in a world-writable sticky directory where another user (nobody) has
 * laid traps: a file of theirs, a hard link to root's file, a symbolic link, a FIFO, a symbolic link
 * for a parent directory. Each is refused with its reason and nothing is written or truncated; a
 * root-owned link on the way (as /var/run) and an explicit device are fine. Needs root, as
 * {@code sudo ./run-tests} has.
 */
class OutputFilesIT {
    @TempDir
    Path root;
    Path shared;
    UserPrincipal nobody;

    @BeforeEach
    void sharedDirectory() throws IOException {
        assertThat((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).as("run as root: sudo ./run-tests").isZero();
        shared = Files.createDirectory(root.resolve("shared"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setAttribute(shared, "unix:mode", 01777); // sticky, as /tmp
        nobody = shared.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    }

    private static void write(FileChannel channel, String text) throws IOException {
        try (channel) {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static String refusal(Path file) {
        FileSystemException e = Assertions.assertThrows(FileSystemException.class, () -> OutputFiles.openForWriting(file, false));
        assertThat(e.getFile()).isEqualTo(file.toString());
        return e.getReason();
    }

    @Test
    void aNewFileIsPrivateAndAnOwnFileIsTruncatedOrAppendedTo() throws IOException {
        Path file = shared.resolve("out.csv");
        write(OutputFiles.openForWriting(file, false), "one\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        write(OutputFiles.openForWriting(file, true), "two\n");
        assertThat(Files.readString(file)).isEqualTo("one\ntwo\n");
        write(OutputFiles.openForWriting(file, false), "three\n");
        assertThat(Files.readString(file)).isEqualTo("three\n");
    }

    @Test
    void anotherUsersFileIsRefusedUntouched() throws IOException {
        Path planted = Files.writeString(shared.resolve("out.csv"), "theirs\n");
        Files.setOwner(planted, nobody);
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(refusal(planted)).startsWith("belongs to uid 65534, not to this user");
        assertThat(Files.readString(planted)).isEqualTo("theirs\n");
    }

    private interface Link {
        Path make(Path at, Path target) throws IOException;
    }

    /** A link to root's file planted at the output's name is refused, the file left whole. */
    private void assertLinkRefused(Link link, String reason) throws IOException {
        Path precious = Files.writeString(root.resolve("precious"), "root's\n");
        Path planted = link.make(shared.resolve("out.csv"), precious);
        assertThat(refusal(planted)).isEqualTo(reason);
        assertThat(Files.readString(precious)).isEqualTo("root's\n");
    }

    @Test
    void aHardLinkIsRefusedAndItsTargetNotTruncated() throws IOException {
        assertLinkRefused(Files::createLink, "has 2 hard links; refusing to write through a link");
    }

    @Test
    void aSymbolicLinkAtTheFileIsNotFollowed() throws IOException {
        assertLinkRefused((at, target) -> Files.createSymbolicLink(at, target), "is a symbolic link; refusing to follow it");
    }

    @Test
    void aFifoNeitherBlocksTheOpenNorIsWrittenTo() throws Exception {
        Path fifo = shared.resolve("out.csv");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(refusal(fifo)).startsWith("is a FIFO; name it explicitly"); // no reader: would block
            Process reader = new ProcessBuilder("sh", "-c", "exec cat \"$1\" >/dev/null", "sh", fifo.toString()).start();
            try {
                Thread.sleep(300);
                assertThat(refusal(fifo)).startsWith("is a FIFO, not a regular file");
            } finally {
                reader.destroyForcibly().waitFor();
            }
        });
    }

    @Test
    void aDirectoryOfTheWayThatAnotherUserLinkedIsRefused() throws IOException {
        Path elsewhere = Files.createDirectory(root.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(shared.resolve("logs"), elsewhere);
        Files.setAttribute(link, "unix:uid", 65534, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        assertThat(refusal(link.resolve("out.csv"))).isEqualTo("its directory goes through a symbolic link (logs) that another user controls");
        assertThat(elsewhere.resolve("out.csv")).doesNotExist();

        // Root's own link in a directory only root writes (as /var/run -> /run): followed.
        Path trusted = Files.createSymbolicLink(root.resolve("run"), elsewhere);
        write(OutputFiles.openForWriting(trusted.resolve("out.csv"), false), "ok\n");
        assertThat(Files.readString(elsewhere.resolve("out.csv"))).isEqualTo("ok\n");
        // Root's link, but in a directory others may rewrite (not sticky): not followed.
        Path open = Files.createDirectory(root.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path swappable = Files.createSymbolicLink(open.resolve("logs"), elsewhere);
        assertThat(refusal(swappable.resolve("x.csv"))).startsWith("its directory goes through a symbolic link (logs)");
    }

    @Test
    void devicesAndStreamsNamedExplicitlyAreOpenedAsNamed() throws IOException {
        write(OutputFiles.openForWriting(Path.of("/dev/null"), false), "discarded\n");
        assertThat(refusal(shared)).isEqualTo("is a directory");
    }

    @Test
    void aReportMayReplaceOnlyAFileItCouldWrite() throws Exception {
        Path planted = Files.writeString(shared.resolve("report.html"), "theirs\n");
        Files.setOwner(planted, nobody);
        assertThatThrownBy(() -> OutputFiles.checkReplaceable(planted)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("belongs to uid 65534");
        Path node = shared.resolve("node");
        assertThat(new ProcessBuilder("mknod", node.toString(), "c", "1", "3").start().waitFor()).isZero();
        assertThatThrownBy(() -> OutputFiles.checkReplaceable(node)).hasMessageContaining("is a character device, not a regular file");
        try (OutputFiles.Replaceable ok = OutputFiles.checkReplaceable(shared.resolve("new.html"))) {
            Files.writeString(ok.directory().resolve("tmp"), "x");
            Files.move(ok.directory().resolve("tmp"), ok.target(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        assertThat(Files.readString(shared.resolve("new.html"))).isEqualTo("x");
    }
}
