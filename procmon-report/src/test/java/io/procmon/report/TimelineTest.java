package io.procmon.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmon.report.Recording.Proc;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimelineTest {
    private static Proc p(int pid, int ppid, long start, long end) {
        return new Proc(pid, ppid, "c" + pid, "root", "", start, end, 0, -1);
    }

    @Test
    void childrenNestUnderTheirParentAndSiblingsShareRowsWhenTheyDoNotOverlap() {
        List<Proc> procs = List.of(p(10, 1, 0, 100), p(11, 10, 5, 20), p(12, 10, 25, 40), p(13, 10, 10, 30), p(14, 13, 12, 15));
        Timeline t = Timeline.layout(procs);
        assertThat(t.parentOf(1)).isZero();
        assertThat(t.parentOf(4)).isEqualTo(3);
        assertThat(t.rowOf(0)).isZero();
        assertThat(t.rowOf(1)).isEqualTo(1);
        assertThat(t.rowOf(2)).as("after 11 ends, 12 reuses its row").isEqualTo(1);
        assertThat(t.rowOf(3)).as("13 overlaps 11 and 12").isEqualTo(2);
        assertThat(t.rowOf(4)).isEqualTo(3);
        assertThat(t.rows()).isEqualTo(4);
    }

    @Test
    void aReusedPidIsTheParentThatWasAliveAtTheChildsStart() {
        List<Proc> procs = List.of(p(50, 1, 0, 10), p(50, 1, 20, 30), p(60, 50, 22, 25));
        Timeline t = Timeline.layout(procs);
        assertThat(t.parentOf(2)).isEqualTo(1);
    }

    private static Proc e(int pid, int ppid, String host, String id, String parentId, long start, long end) {
        return new Proc(pid, ppid, "c" + pid, "root", host, start, end, 0, -1, id, parentId, false);
    }

    @Test
    void entityIdsJoinAcrossHostsAndPidReuseWherePidsWouldNot() {
        List<Proc> procs = List.of(
                e(50, 1, "a", "a50", "", 0, 100),
                e(50, 1, "b", "b50", "", 0, 100),
                e(60, 50, "b", "b60", "b50", 10, 20),   // pid 50 of host b, not a's
                e(61, 50, "a", "a61", "gone", 10, 20),  // its parent was not recorded: no guess by pid
                e(70, 50, "b", "", "", 10, 20));        // no ids: pid 50 of its own host
        Timeline t = Timeline.layout(procs);
        assertThat(t.parentOf(2)).isEqualTo(1);
        assertThat(t.parentOf(3)).isEqualTo(-1);
        assertThat(t.parentOf(4)).isEqualTo(1);
    }

    @Test
    void madeUpParentsThatWouldMakeACycleDoNot() {
        List<Proc> procs = List.of(e(1, 2, "", "x", "y", 5, 10), e(2, 1, "", "y", "x", 5, 10), p(3, 4, 5, 10), p(4, 3, 5, 10));
        Timeline t = Timeline.layout(procs);
        assertThat(t.parentOf(0)).isEqualTo(-1);
        assertThat(t.parentOf(1)).isZero();
        assertThat(t.parentOf(2)).isEqualTo(-1);
        assertThat(t.parentOf(3)).isEqualTo(2);
        assertThat(java.util.stream.IntStream.range(0, 4).map(t::rowOf).distinct().count()).as("every one drawn on its own row").isEqualTo(4);
    }

    @Test
    void rowsAreTimeDisjointAndEveryChildIsBelowItsParent() {
        Random rnd = new Random(7);
        List<Proc> procs = new ArrayList<>();
        procs.add(p(1000, 1, 0, 1_000_000));
        for (int i = 1; i < 5_000; i++) {
            int parentPid = 1000 + rnd.nextInt(i);
            Proc parent = procs.get(parentPid - 1000);
            long start = parent.startMicros() + rnd.nextInt((int) Math.max(1, parent.endMicros() - parent.startMicros()));
            long end = Math.min(parent.endMicros(), start + rnd.nextInt(50_000));
            procs.add(p(1000 + i, parentPid, start, end));
        }
        Timeline t = Timeline.layout(procs);
        java.util.Map<Integer, List<Integer>> byRow = new java.util.HashMap<>();
        for (int i = 0; i < procs.size(); i++) {
            byRow.computeIfAbsent(t.rowOf(i), k -> new ArrayList<>()).add(i);
            if (t.parentOf(i) >= 0) {
                assertThat(t.rowOf(i)).isGreaterThan(t.rowOf(t.parentOf(i)));
            }
        }
        for (List<Integer> row : byRow.values()) {
            row.sort(java.util.Comparator.comparingLong(i -> procs.get(i).startMicros()));
            for (int k = 1; k < row.size(); k++) {
                assertThat(procs.get(row.get(k)).startMicros()).isGreaterThanOrEqualTo(procs.get(row.get(k - 1)).endMicros());
            }
        }
    }

    @Test
    void recordingsWithoutWhatTheReportNeedsSayWhichColumns() {
        assertThatThrownBy(() -> Recording.read(new StringReader("PID,PPID,USER,COMMAND,DURATION_MS\n1,0,root,init,1.00\n")))
                .isInstanceOf(Recording.BadInputException.class).hasMessageContaining("no START_TIME column")
                .hasMessageContaining("--columns " + Recording.NEEDED_COLUMNS)
                .satisfies(e -> assertThat(((Recording.BadInputException) e).missingColumns()).isTrue());
        assertThatThrownBy(() -> Recording.read(new StringReader("{\"procmon\":{\"schema\":1,\"run\":\"r\",\"seq\":1,\"type\":\"nope\"}}\n")))
                .hasMessage("line 1: unknown record type \"nope\"");
    }

    @Test
    void processesWithoutAnExitAreOpenBarsToTheRecordingsEnd() throws Exception {
        String a = "a".repeat(32);
        String b = "b".repeat(32);
        String c = "c".repeat(32);
        Recording r = Recording.read(new StringReader("PID,PPID,COMMAND,START_TIME,END_TIME,EVENT,ENTITY_ID\n"
                + "5,1,sh,2026-11-26T10:00:00Z,,running," + a + "\n"           // running at start, then exec'd again, still running
                + "5,1,vim,2026-11-26T10:00:03Z,,exec," + a + "\n"
                + "6,5,ls,2026-11-26T10:00:04Z,,exec," + b + "\n"             // exec'd and ended: its exit alone
                + "6,5,ls,2026-11-26T10:00:04Z,2026-11-26T10:00:05Z,exit," + b + "\n"
                + "7,5,make,2026-11-26T10:00:06Z,,exec," + c + "\n"           // exec-only
                + "8,1,cron,2026-11-26T10:00:01Z,2026-11-26T10:00:09Z,exit,\n"));
        long t0 = 1_795_687_200_000_000L;
        assertThat(r.processes()).containsExactly(
                new Proc(5, 1, "sh", "", "", t0, t0 + 9_000_000, -1, -1, a, "", true),
                new Proc(6, 5, "ls", "", "", t0 + 4_000_000, t0 + 5_000_000, -1, -1, b, "", false),
                new Proc(7, 5, "make", "", "", t0 + 6_000_000, t0 + 9_000_000, -1, -1, c, "", true),
                new Proc(8, 1, "cron", "", "", t0 + 1_000_000, t0 + 9_000_000, -1, -1, "", "", false));
        assertThatThrownBy(() -> Recording.read(new StringReader("PID,PPID,COMMAND,START_TIME,END_TIME,EVENT\n"
                + "5,1,sh,2026-11-26T10:00:00Z,,fork\n"))).hasMessageContaining("EVENT is not exit, exec or running");
    }

    @Test
    void csvWithStartTimesIsRead() throws Exception {
        Recording r = Recording.read(new StringReader("PID,PPID,COMMAND,START_TIME,DURATION_MS,EXIT_CODE,SIGNAL\n"
                + "5,1,sh,2026-11-26T10:00:00.000001Z,1.50,,9\n"));
        assertThat(r.processes()).containsExactly(new Proc(5, 1, "sh", "", "", 1_795_687_200_000_001L, 1_795_687_200_001_501L, -1, 9));
    }
}
