/* Starts librdkafka's mock Kafka cluster (Debian librdkafka-dev) on 127.0.0.1 for the Kafka proxy
 * tests, prints its bootstrap servers on one line, and runs until SIGTERM or SIGINT.
 *   usage: mockbroker <brokers> [topic[:partitions] ...]
 * Built on first use by test/kafka-proxy/harness.ts into $SLUICE_CACHE/kafka-mock/. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t running = 1;
static void on_signal(int sig) { (void)sig; running = 0; }

int main(int argc, char **argv) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL) { fprintf(stderr, "rd_kafka_new: %s\n", errstr); return 1; }
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers > 0 ? brokers : 1);
  if (cluster == NULL) { fprintf(stderr, "mock cluster failed\n"); return 1; }
  for (int i = 2; i < argc; i++) {
    char name[256];
    int partitions = 1;
    snprintf(name, sizeof name, "%s", argv[i]);
    char *colon = strchr(name, ':');
    if (colon != NULL) { *colon = '\0'; partitions = atoi(colon + 1); }
    rd_kafka_mock_topic_create(cluster, name, partitions, 1);
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  while (running) usleep(100 * 1000);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
