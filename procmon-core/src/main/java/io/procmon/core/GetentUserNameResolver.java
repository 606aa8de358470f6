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
        return passwdEntries(Integer.toUnsignedString(uid)).flatMap(out -> parsePasswdLine(out, uid));
    }

    /** The uid of user {@code name} through the name service, or empty when there is no such user. */
    public static java.util.OptionalInt uidOf(String name) {
        if (name.isEmpty() || name.startsWith("-") || name.contains(":")) {
            return java.util.OptionalInt.empty();
        }
        Optional<String> out = passwdEntries(name);
        if (out.isPresent()) {
            for (String line : out.get().split("\n")) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 3 && fields[0].equals(name)) {
                    try {
                        return java.util.OptionalInt.of(Integer.parseUnsignedInt(fields[2]));
                    } catch (NumberFormatException e) {
                        LOG.warn("getent passwd {}: bad uid field '{}'", name, fields[2]);
                    }
                }
            }
        }
        return java.util.OptionalInt.empty();
    }

    /** What {@code getent passwd KEY} prints, when it finds the entry; empty otherwise. */
    private static Optional<String> passwdEntries(String key) {
        try {
            Process getent = new ProcessBuilder("getent", "passwd", key).redirectErrorStream(true).start();
            getent.getOutputStream().close();
            String out;
            try (InputStream in = getent.getInputStream()) {
                out = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            if (!getent.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                getent.destroyForcibly();
                LOG.warn("getent passwd {} did not answer in {} s", key, TIMEOUT_SECONDS);
                return Optional.empty();
            }
            return getent.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot run getent passwd {}: {}", key, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
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
