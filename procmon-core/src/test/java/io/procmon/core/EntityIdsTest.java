package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EntityIdsTest {
    private static final String BOOT = "6c3f8d0e-1b1a-4a4e-9d7e-0e9a3c0b2f11";

    @Test
    void theDocumentedDerivation() {
        // printf '%s:%s:%s' 6c3f8d0e-1b1a-4a4e-9d7e-0e9a3c0b2f11 1234 99 | sha256sum | cut -c1-32
        assertThat(EntityIds.ofTicks(BOOT, 1234, 99)).isEqualTo("2bd7728ff1983aa02ab1d3086991161a");
        assertThat(EntityIds.of(BOOT, 1234, 99 * EntityIds.NANOS_PER_TICK + 9_999_999)).as("nanoseconds within the tick")
                .isEqualTo(EntityIds.ofTicks(BOOT, 1234, 99));
    }

    @Test
    void anyPartChangedIsAnotherId() {
        String id = EntityIds.ofTicks(BOOT, 1234, 99);
        assertThat(EntityIds.ofTicks(BOOT, 1235, 99)).isNotEqualTo(id);
        assertThat(EntityIds.ofTicks(BOOT, 1234, 100)).isNotEqualTo(id);
        assertThat(EntityIds.ofTicks(BOOT.replace('6', '7'), 1234, 99)).isNotEqualTo(id);
        assertThat(EntityIds.ofTicks(BOOT, 12, 3499)).as("no ambiguity from the separators").isNotEqualTo(EntityIds.ofTicks(BOOT, 123, 499));
    }

    @Test
    void idsMadeAgainFromTheCacheAreTheSame() {
        for (int pid = 1; pid < 500; pid++) {
            String id = EntityIds.ofTicks(BOOT, pid, 7);
            assertThat(EntityIds.ofTicks(BOOT, pid, 7)).isEqualTo(id);
            assertThat(EntityIds.ofTicks(BOOT, pid + 64, 7)).as("another pid in the same slot").isNotEqualTo(id);
            assertThat(EntityIds.ofTicks(BOOT, pid, 8)).isNotEqualTo(id);
            assertThat(EntityIds.ofTicks(BOOT.replace('6', '7'), pid, 7)).isNotEqualTo(id);
            assertThat(EntityIds.ofTicks(BOOT, pid, 7)).isEqualTo(id);
        }
    }

    @Test
    void unknownPartsGiveNoId() {
        assertThat(EntityIds.of(BOOT, 1, 0)).isNull();
        assertThat(EntityIds.of(null, 1, 5)).isNull();
        assertThat(EntityIds.of("", 1, 5)).isNull();
    }

    @Test
    void thisBootsIdIsReadable() {
        assertThat(EntityIds.localBootId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }
}
