/* The main thread exits first (pthread_exit); a second thread runs on for the given
 * milliseconds, then exits the process with status 7. One process, one row, at the real end. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long millis;

static void *worker(void *arg) {
    (void) arg;
    struct timespec ts = { millis / 1000, (millis % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    exit(7);
}

int main(int argc, char **argv) {
    millis = argc > 1 ? atol(argv[1]) : 300;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        return 2;
    }
    pthread_exit(NULL);
}
