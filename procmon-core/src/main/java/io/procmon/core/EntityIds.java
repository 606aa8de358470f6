package io.procmon.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Process identities that survive pid reuse and join across hosts and boots, as Elastic's
 * {@code process.entity_id}: the first 32 hex digits (128 bits) of the SHA-256 of
 * {@code BOOT_ID:PID:START_TICKS}, where {@code BOOT_ID} is {@code /proc/sys/kernel/random/boot_id}
 * (random at every boot of every host), {@code PID} the process's tgid and {@code START_TICKS} its
 * start in clock ticks since boot, exactly as field 22 of {@code /proc/PID/stat} gives it. So a
 * shell recomputes one: {@code printf '%s:%s:%s' "$(cat /proc/sys/kernel/random/boot_id)" PID TICKS
 * | sha256sum | cut -c1-32}. Ticks (10 ms), not nanoseconds, so that a process seen only in
 * {@code /proc} has the id the kernel's records give it; two processes share a pid within one tick
 * only when root forces the pid (clone3's {@code set_tid}).
 */
public final class EntityIds {
    /** Nanoseconds per clock tick: USER_HZ is 100 on every Linux architecture. */
    public static final long NANOS_PER_TICK = 10_000_000L;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Ids made lately, per thread: siblings share their parent's, which is then hashed once. */
    private static final int CACHED = 64;
    private static final ThreadLocal<Maker> MAKER = ThreadLocal.withInitial(Maker::new);

    /** A thread's digest and its last ids, direct-mapped by pid. */
    private static final class Maker {
        final MessageDigest sha256;
        final int[] pids = new int[CACHED];
        final long[] ticks = new long[CACHED];
        final String[] boots = new String[CACHED];
        final String[] ids = new String[CACHED];

        Maker() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
    }

    private EntityIds() {
    }

    /**
     * The id of the process {@code pid} that started at {@code startNanos} on the boot-time clock,
     * on the boot {@code bootId}; null when either is unknown (no boot id, a start of 0).
     */
    public static String of(String bootId, int pid, long startNanos) {
        return startNanos <= 0 ? null : ofTicks(bootId, pid, startNanos / NANOS_PER_TICK);
    }

    /** As {@link #of}, from a start in clock ticks ({@code /proc/PID/stat}'s field 22). */
    public static String ofTicks(String bootId, int pid, long startTicks) {
        if (bootId == null || bootId.isEmpty() || startTicks < 0) {
            return null;
        }
        Maker m = MAKER.get();
        int slot = pid & (CACHED - 1);
        if (m.ids[slot] != null && m.pids[slot] == pid && m.ticks[slot] == startTicks && bootId.equals(m.boots[slot])) {
            return m.ids[slot];
        }
        byte[] digest = m.sha256.digest((bootId + ':' + Integer.toUnsignedString(pid) + ':' + startTicks)
                .getBytes(StandardCharsets.US_ASCII));
        char[] hex = new char[32];
        for (int i = 0; i < 16; i++) {
            hex[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            hex[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        String id = new String(hex);
        m.pids[slot] = pid;
        m.ticks[slot] = startTicks;
        m.boots[slot] = bootId;
        m.ids[slot] = id;
        return id;
    }

    /** This boot's id ({@code /proc/sys/kernel/random/boot_id}); empty when unreadable. */
    public static String localBootId() {
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/random/boot_id"))) {
            String text = new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip(); // procfs: one read
            return text.matches("[0-9a-f-]{36}") ? text : "";
        } catch (IOException e) {
            return "";
        }
    }
}
