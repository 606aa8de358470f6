package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a fleet's accounting back: the collector's report lines, and the raw sequence numbers they must agree with. */
final class FleetAccounting {
    private FleetAccounting() {
    }

    /**
     * The report line of the one run of host {@code host} (of {@code procmon collect}, or of its
     * {@code --summarize}): received, missing, announced, announced but arrived, duplicates.
     */
    static long[] run(String report, String host) {
        Matcher m = Pattern.compile("procmon collect: " + Pattern.quote(host) + " \\(run [^)]+\\): ([\\d,]+) records, ([\\d,]+) missing "
                + "in [\\d,]+ gaps \\(([\\d,]+) announced as lost by its sender, ([\\d,]+) of them arrived anyway\\), ([\\d,]+) duplicates")
                .matcher(report);
        assertThat(m.find()).as("report of %s in: %s", host, report).isTrue();
        long[] v = new long[5];
        for (int i = 0; i < 5; i++) {
            v[i] = Long.parseLong(m.group(i + 1).replace(",", ""));
        }
        assertThat(m.find()).as("one run of %s", host).isFalse();
        return v;
    }

    /** What a monitor's stop summary says it sent to Kafka: records numbered, lost, and not delivered at close. */
    record Sent(long numbered, long lost, long undelivered) {
        static Sent of(String stderr) {
            Matcher kafka = Pattern.compile("Kafka: ([\\d,]+) records, [\\d,]+ delivered, ([\\d,]+) lost").matcher(stderr);
            assertThat(kafka.find()).as(stderr).isTrue();
            Matcher atClose = Pattern.compile("Kafka: ([\\d,]+) records could not be delivered").matcher(stderr);
            return new Sent(Long.parseLong(kafka.group(1).replace(",", "")), Long.parseLong(kafka.group(2).replace(",", "")),
                    atClose.find() ? Long.parseLong(atClose.group(1).replace(",", "")) : 0);
        }
    }

    /** Sequence numbers as read from the records themselves, independent of the collector's tracking (one run). */
    record RawSeqs(java.util.List<Long> seqs, java.util.Set<Long> announcedSeqs) {
        static RawSeqs of(List<JsonNode> records) {
            java.util.List<Long> seqs = new ArrayList<>();
            java.util.Set<Long> announced = new java.util.HashSet<>();
            for (JsonNode n : records) {
                seqs.add(n.path("procmon").path("seq").asLong());
                JsonNode ranges = n.path("procmon").path("lost").path("seqs");
                for (JsonNode range : ranges) { // [[from, to], ...], inclusive
                    for (long s = range.get(0).asLong(); s <= range.get(1).asLong(); s++) {
                        announced.add(s);
                    }
                }
            }
            return new RawSeqs(seqs, announced);
        }

        long received() {
            return distinct().size();
        }

        java.util.Set<Long> distinct() {
            return new java.util.HashSet<>(seqs);
        }

        long duplicates() {
            return seqs.size() - received();
        }

        long highest() {
            return seqs.stream().mapToLong(Long::longValue).max().orElse(0);
        }

        /** Numbers from 1 to the highest received that never arrived. */
        long missing() {
            return highest() - distinct().stream().filter(s -> s >= 1 && s <= highest()).count();
        }

        long announced() {
            return announcedSeqs.size();
        }

        long announcedButArrived() {
            return announcedSeqs.stream().filter(distinct()::contains).count();
        }

        long neitherReceivedNorAnnounced(long numbered) {
            java.util.Set<Long> seen = distinct();
            long n = 0;
            for (long s = 1; s <= numbered; s++) {
                if (!seen.contains(s) && !announcedSeqs.contains(s)) {
                    n++;
                }
            }
            return n;
        }
    }
}
