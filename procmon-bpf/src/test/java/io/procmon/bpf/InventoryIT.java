package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.EntityIds;
import io.procmon.core.ProcessEvent;
import io.procmon.core.ProcessEvent.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Running records on the real kernel: a process older than the source shows as it starts, again at
 * each inventory, and as it stops when still alive, with the identity its exit record has.
 */
@BpfTest
class InventoryIT {
    private static final int QUIET_UID = 64_997;
    private static final Duration WAIT = Duration.ofSeconds(15);

    private BpfEventSource source;
    private Process older;
    private final RecordingListener recorder = new RecordingListener();

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
        if (older != null) {
            older.destroyForcibly();
        }
    }

    private static Process asQuietUser(String... command) throws Exception {
        return TestProcesses.runAs(QUIET_UID, command);
    }

    @Test
    void anOlderProcessIsRecordedAtStartAtEachInventoryAndAtStop() throws Exception {
        older = asQuietUser("/bin/sleep", "30");
        Thread.sleep(300); // exec'd by now
        String entity = EntityIds.ofTicks(EntityIds.localBootId(), (int) older.pid(), TestProcesses.startTicks(older.pid()));
        source = new BpfEventSource(BpfOptions.defaults().toBuilder().uid(QUIET_UID).args(256).executablePaths(true)
                .inventoryInterval(Duration.ofSeconds(1)).build());
        source.start(recorder);
        List<ProcessEvent> running = recorder.await(e -> e.pid() == older.pid() && e.kind() == Kind.RUNNING, 3, WAIT);
        assertThat(running).as("at start, then every second").hasSize(3);
        ProcessEvent r = running.get(0);
        assertThat(r.entityId()).hasValue(entity);
        assertThat(r.parentEntityId()).isPresent();
        assertThat(r.command()).isEqualTo("sleep");
        assertThat(r.uid()).isEqualTo(QUIET_UID);
        assertThat(r.effectiveUid()).hasValue(QUIET_UID);
        assertThat(r.arguments().get().values()).containsExactly("/bin/sleep", "30");
        assertThat(r.executable()).hasValue(Files.readSymbolicLink(Path.of("/proc/" + older.pid() + "/exe")).toString());
        assertThat(r.startTime()).isPresent();
        assertThat(r.endTime()).isEmpty();
        assertThat(recorder.matching(e -> e.kind() == Kind.RUNNING && e.uid() != QUIET_UID)).as("the uid filter applies").isEmpty();

        int before = recorder.matching(e -> e.pid() == older.pid()).size();
        source.close();
        List<ProcessEvent> after = recorder.matching(e -> e.pid() == older.pid());
        assertThat(after.size()).as("one more as recording stops").isEqualTo(before + 1);
        assertThat(after.get(after.size() - 1).kind()).isEqualTo(Kind.RUNNING);
        source = null;

        // Its exit, recorded by another source, carries the same identity.
        source = new BpfEventSource(BpfOptions.defaults().toBuilder().uid(QUIET_UID).build());
        RecordingListener exits = new RecordingListener();
        source.start(exits);
        older.destroy();
        assertThat(older.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ProcessEvent exit = exits.await(e -> e.pid() == older.pid(), 1, WAIT).get(0);
        assertThat(exit.entityId()).hasValue(entity);
        assertThat(exit.startedBeforeMonitoring()).isTrue();
    }
}
