/* Started before the monitor: waits for a line on standard input, then starts a thread (younger
 * than the monitor), and the main thread leaves with pthread_exit. The thread exits the process
 * with status 4 after the given milliseconds. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long millis;

static void *worker(void *arg) {
    (void) arg;
    struct timespec ts = { millis / 1000, (millis % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    exit(4);
}

int main(int argc, char **argv) {
    millis = argc > 1 ? atol(argv[1]) : 300;
    getchar();
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        return 2;
    }
    pthread_exit(NULL);
}
