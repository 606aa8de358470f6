package io.procmon.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves through the system's name service switch, as {@code id -nu} does (files, LDAP, SSSD,
 * systemd-homed...), by running {@code getent passwd UID}. Wrap it in a
 * {@link CachingUserNameResolver}: it starts a process per call.
 */
public final class GetentUserNameResolver implements UserNameResolver {
    private static final Logger LOG = LoggerFactory.getLogger(GetentUserNameResolver.class);
    private static final long TIMEOUT_SECONDS = 5;

    @Override
    public Optional<String> lookup(int uid) {
        String id = Integer.toUnsignedString(uid);
        try {
            Process getent = new ProcessBuilder("getent", "passwd", id)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            getent.getOutputStream().close();
            String out;
            try (InputStream in = getent.getInputStream()) {
                out = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            if (!getent.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                getent.destroyForcibly();
                LOG.warn("getent passwd {} did not answer in {} s; showing the number", id, TIMEOUT_SECONDS);
                return Optional.empty();
            }
            return getent.exitValue() == 0 ? parsePasswdLine(out, uid) : Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot run getent to resolve uid {}: {}", id, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The uid of user {@code name} through the name service, or empty when there is no such user. */
    public static java.util.OptionalInt uidOf(String name) {
        if (name.isEmpty() || name.startsWith("-") || name.contains(":")) {
            return java.util.OptionalInt.empty();
        }
        try {
            Process getent = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
            getent.getOutputStream().close();
            String out;
            try (InputStream in = getent.getInputStream()) {
                out = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            if (!getent.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || getent.exitValue() != 0) {
                getent.destroyForcibly();
                return java.util.OptionalInt.empty();
            }
            for (String line : out.split("\n")) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 3 && fields[0].equals(name)) {
                    return java.util.OptionalInt.of(Integer.parseUnsignedInt(fields[2]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot resolve user {}: {}", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return java.util.OptionalInt.empty();
    }

    /** The name from a {@code passwd(5)} line whose uid field is {@code uid}. */
    static Optional<String> parsePasswdLine(String output, int uid) {
        for (String line : output.split("\n")) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 3 && fields[2].equals(Integer.toUnsignedString(uid)) && !fields[0].isEmpty()) {
                return Optional.of(fields[0]);
            }
        }
        return Optional.empty();
    }
}
