#!/usr/bin/env bash
# Kafka proxy area: the test peers. Debian librdkafka-dev (librdkafka's mock cluster, which
# test/kafka-proxy/harness.ts links a small launcher against on first use) and kcat (a real
# librdkafka client); a JDK (17 is on the image) and Apache Kafka's jars from Maven Central for a
# real single-node KRaft broker, cached outside the repo in $SLUICE_CACHE/kafka-<version>/libs.
# Idempotent; quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/../.."

KAFKA_VERSION=4.1.1
if [ "$(id -u)" -eq 0 ]; then default_cache=/var/cache/sluice; else default_cache="$HOME/.cache/sluice"; fi
CACHE="${SLUICE_CACHE:-$default_cache}"
LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"

need=()
[ -f /usr/include/librdkafka/rdkafka_mock.h ] || need+=(librdkafka-dev)
command -v kcat >/dev/null 2>&1 || need+=(kcat)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "kafka.sh: not root, not installing: ${need[*]} (the suites that need them say why they skip)" >&2
  else
    echo "kafka.sh: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

# The broker's jars: resolved once by Maven from a pom of our own, then reused.
if [ ! -f "$LIBS/.complete" ] && command -v mvn >/dev/null 2>&1; then
  echo "kafka.sh: resolving Apache Kafka $KAFKA_VERSION jars into $LIBS"
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  if mvn -q -B -f test/kafka-proxy/broker/pom.xml -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies -DoutputDirectory="$LIBS" >/dev/null; then
    touch "$LIBS/.complete"
  else
    echo "kafka.sh: could not resolve the Kafka jars; the Apache Kafka suite will say it skips" >&2
    rm -rf "$LIBS"
  fi
fi
exit 0
