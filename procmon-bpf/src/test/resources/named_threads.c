/* A process whose threads have names of their own (as JVMs, Python and Go runtimes name theirs):
 * the main thread leaves first (pthread_exit), worker-3 runs for the given milliseconds and exits
 * the process with status 5. Its name is still the leader's: named_threads. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long millis;

static void *worker(void *arg) {
    long n = (long) arg;
    char name[16];
    snprintf(name, sizeof name, "worker-%ld", n);
    pthread_setname_np(pthread_self(), name);
    struct timespec ts = { millis / 1000, (millis % 1000) * 1000000L };
    if (n == 3) {
        nanosleep(&ts, NULL);
        exit(5);
    }
    pause();
    return NULL;
}

int main(int argc, char **argv) {
    millis = argc > 1 ? atol(argv[1]) : 300;
    for (long i = 1; i <= 3; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, (void *) i) != 0) {
            return 2;
        }
    }
    pthread_exit(NULL);
}
