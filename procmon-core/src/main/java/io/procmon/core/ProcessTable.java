package io.procmon.core;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The processes alive in a stream of records, known by {@link ProcessEvent#entityId()}, to join each
 * record with its parent's by entity id, never by pid: a pid is reused, an entity id names one
 * process of one boot of one host. A record is learned (exec, running) or ends its process (exit);
 * {@link #join} gives it its parent ({@link ProcessEvent#parent()}) from the parent's latest record,
 * and a parent entity id it lacks from an earlier record of the same process (the exit of a process
 * older than the monitor names no parent; its running record did).
 *
 * <p>The parent is resolved when a process is first seen and kept with it, so its exit still joins
 * after the parent has gone. Records must come in each host's order (one Kafka partition per host
 * keeps it) up to the reorder between CPUs' rings: a child's exec may be read after its parent's exit,
 * so a process that ended is kept a while among the {@link #ENDED_SHARE recently ended}. A stream of
 * exits alone names few parents: a parent usually ends after its children.
 *
 * <p>Bounded in bytes, since senders choose how many processes they claim: each process costs
 * about {@value #ENTRY_BYTES} bytes plus its and its parent's command and executable path; past
 * the bound the ended process ended longest ago, then the living process seen least recently, is
 * forgotten (counted). One thread.
 */
public final class ProcessTable {
    /** The bound unless said otherwise: about 200,000 processes with short paths. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** The map's node and key, the entry, and a parent shared with siblings: about what one process costs. */
    static final int ENTRY_BYTES = 280;
    /** At most this share of the bound holds processes that ended (a child's record read after its parent's exit). */
    static final int ENDED_SHARE = 8;

    private record Known(String command, String executable, String parentEntityId, ParentProcess parent, long bytes) {
    }

    /** In access order: the first is the process seen least recently (a parent's children refresh it). */
    private final Map<String, Known> alive = new LinkedHashMap<>(1024, 0.75f, true);
    /** In order of their exits: the first ended longest ago. */
    private final Map<String, Known> ended = new LinkedHashMap<>(256);
    private final long maxBytes;
    private long aliveBytes;
    private long endedBytes;
    private long joined;
    private long parentUnseen;
    private long forgotten;

    /** A table of at most {@link #DEFAULT_MAX_BYTES}. */
    public ProcessTable() {
        this(DEFAULT_MAX_BYTES);
    }

    /** A table of at most {@code maxBytes} (at least one process is always kept). */
    public ProcessTable(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * The record joined with what the table knows, and the table updated with it. A record without an
     * entity id (a source that knows neither boot nor start) is returned as it is: nothing joins it.
     */
    public ProcessEvent join(ProcessEvent e) {
        String self = e.entityId().orElse(null);
        if (self == null) {
            return e;
        }
        Known before = alive.get(self);
        boolean hasEnded = before == null && (before = ended.get(self)) != null;
        String parentId = e.parentEntityId().orElse(before == null ? null : before.parentEntityId);
        ParentProcess parent = parentNamed(parentId, self, before);
        if (e.kind() == ProcessEvent.Kind.EXIT || hasEnded) { // a record read after its own exit does not bring it back to life
            end(self, e, parentId, parent, before, hasEnded);
        } else {
            Known now = known(self, e, parentId, parent, before);
            Known old = alive.put(self, now);
            aliveBytes += now.bytes - (old == null ? 0 : old.bytes);
        }
        bound(self);
        boolean fillsParentId = parentId != null && e.parentEntityId().isEmpty();
        if (parent == null) {
            parentUnseen += parentId == null ? 0 : 1;
            return fillsParentId ? e.toBuilder().entityIds(self, parentId).build() : e;
        }
        joined++;
        return e.toBuilder().entityIds(self, parentId).parent(parent).build();
    }

    /** The parent's latest record if it is known here, else what was resolved when this process was first seen. */
    private ParentProcess parentNamed(String parentId, String self, Known before) {
        if (parentId == null || parentId.equals(self)) { // a record naming itself its parent is not believed
            return null;
        }
        Known p = alive.get(parentId);
        if (p == null) {
            p = ended.get(parentId);
        }
        if (p != null) {
            return new ParentProcess(p.command, p.executable);
        }
        return before != null && parentId.equals(before.parentEntityId) ? before.parent : null;
    }

    /** The process moves to the recently ended, where a child's late record still finds it. */
    private void end(String self, ProcessEvent e, String parentId, ParentProcess parent, Known before, boolean hasEnded) {
        Known gone = hasEnded ? ended.remove(self) : alive.remove(self);
        if (gone != null) {
            if (hasEnded) {
                endedBytes -= gone.bytes;
            } else {
                aliveBytes -= gone.bytes;
            }
        }
        Known now = known(self, e, parentId, parent, before);
        ended.put(self, now);
        endedBytes += now.bytes;
    }

    private static Known known(String self, ProcessEvent e, String parentId, ParentProcess parent, Known before) {
        String executable = e.executable().orElse(before == null ? null : before.executable); // an exit without --exe keeps the path known
        ParentProcess kept = parent != null ? parent : before == null ? null : before.parent;
        long size = ENTRY_BYTES + 2L * (self.length() + e.command().length() + length(executable) + length(parentId))
                + (kept == null ? 0 : 2L * (kept.command().length() + length(kept.executable())));
        return new Known(e.command(), executable, parentId, kept, size);
    }

    /** Forgets the ended process that ended longest ago, then the living one seen least recently, until within the bound. */
    private void bound(String self) {
        endedBytes = forgetUntil(ended, endedBytes, Math.min(maxBytes / ENDED_SHARE, maxBytes - aliveBytes), self);
        aliveBytes = forgetUntil(alive, aliveBytes, maxBytes - endedBytes, self);
    }

    /** Forgets the first processes of {@code map} (never {@code self}) until it holds at most {@code limit}; what it holds then. */
    private long forgetUntil(Map<String, Known> map, long mapBytes, long limit, String self) {
        Iterator<Map.Entry<String, Known>> first = map.entrySet().iterator();
        while (mapBytes > limit && first.hasNext()) {
            Map.Entry<String, Known> gone = first.next();
            if (!gone.getKey().equals(self)) {
                mapBytes -= gone.getValue().bytes;
                first.remove();
                forgotten++;
            }
        }
        return mapBytes;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /** Records given their parent so far. */
    public long joined() {
        return joined;
    }

    /** Records that named a parent of whom no record had been seen (or who was forgotten). */
    public long parentUnseen() {
        return parentUnseen;
    }

    /** Processes forgotten to stay within the bound. */
    public long forgotten() {
        return forgotten;
    }

    /** Processes known now, alive or recently ended. */
    public int size() {
        return alive.size() + ended.size();
    }

    /** About how many bytes the processes known now hold. */
    public long bytes() {
        return aliveBytes + endedBytes;
    }
}
