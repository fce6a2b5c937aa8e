/* Baseline for bench_service.py: N single-row INSERT transactions through libpq (autocommit, so
 * each is one durable commit), spread over T connections, one thread each.
 *
 *   cc -O2 -o pq_insert_baseline pq_insert_baseline.c -lpq -lpthread
 *   pq_insert_baseline CONNINFO COUNT THREADS   → prints "inserts=N seconds=S per_second=R"
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *conninfo;
static long per_thread;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg) {
    long thread = (long)arg;
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) { fprintf(stderr, "connect: %s", PQerrorMessage(conn)); exit(1); }
    char guid[64], payload[129];
    memset(payload, 'x', 128);
    payload[128] = 0;
    for (long i = 0; i < per_thread; i++) {
        snprintf(guid, sizeof guid, "T%02ld-%012ld-0000-0000-000000000000", thread, i);
        const char *values[2] = {guid, payload};
        PGresult *r = PQexecParams(conn, "INSERT INTO bench_baseline (guid, payload, created_at) VALUES ($1, $2, 0)",
                                   2, NULL, values, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) { fprintf(stderr, "insert: %s", PQerrorMessage(conn)); exit(1); }
        PQclear(r);
    }
    PQfinish(conn);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s CONNINFO COUNT THREADS\n", argv[0]); return 2; }
    conninfo = argv[1];
    long count = atol(argv[2]);
    int threads = atoi(argv[3]);
    if (threads < 1 || count < threads) { fprintf(stderr, "bad COUNT/THREADS\n"); return 2; }
    per_thread = count / threads;
    PGconn *setup = PQconnectdb(conninfo);
    if (PQstatus(setup) != CONNECTION_OK) { fprintf(stderr, "connect: %s", PQerrorMessage(setup)); return 1; }
    PQclear(PQexec(setup, "DROP TABLE IF EXISTS bench_baseline"));
    PGresult *r = PQexec(setup, "CREATE TABLE bench_baseline (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                                "guid TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, created_at BIGINT NOT NULL)");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) { fprintf(stderr, "create: %s", PQerrorMessage(setup)); return 1; }
    PQclear(r);
    pthread_t ids[256];
    if (threads > 256) threads = 256;
    double start = now();
    for (long t = 0; t < threads; t++) pthread_create(&ids[t], NULL, worker, (void *)t);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    double seconds = now() - start;
    long total = per_thread * threads;
    printf("inserts=%ld seconds=%.3f per_second=%.1f\n", total, seconds, total / seconds);
    PQclear(PQexec(setup, "DROP TABLE bench_baseline"));
    PQfinish(setup);
    return 0;
}
