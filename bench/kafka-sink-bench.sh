#!/usr/bin/env bash
# The Kafka sink alone, against a real local broker (Apache Kafka from Maven Central, KRaft, on
# 127.0.0.1, stopped at the end): records per second on one core and the memory a full queue holds.
#   bench/kafka-sink-bench.sh [RECORDS] [ROUNDS]
# The sink's JVM runs on CPU 0 and the broker on CPU 1, so "one core" means one core.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh test >/dev/null
mvn -q -B -pl procmon-core,procmon-jsonl,procmon-kafka -am -DskipTests install
mvn -q -B -pl procmon-kafka test-compile
cp="procmon-kafka/target/test-classes:procmon-kafka/target/classes:$(cat procmon-kafka/target/kafka-broker.classpath)"
exec taskset -c 0 java -Xmx256m -XX:+UseSerialGC -Dprocmon.kafka.broker.classpath=procmon-kafka/target/kafka-broker.classpath \
    -Dprocmon.kafka.broker.cpus=1 \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.org.apache.kafka=off \
    -cp "$cp" io.procmon.kafka.KafkaSinkBench "$@"
