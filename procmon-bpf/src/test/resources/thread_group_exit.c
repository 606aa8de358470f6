/* N threads wait at a barrier with the main thread, which then calls exit(3): exit_group kills
 * them all at once, so many threads of one process die together. One process, one row. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_barrier_t barrier;

static void *worker(void *arg) {
    (void) arg;
    pthread_barrier_wait(&barrier);
    for (;;) {
        pause();
    }
    return NULL;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 32;
    pthread_barrier_init(&barrier, NULL, (unsigned) n + 1);
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, NULL) != 0) {
            return 2;
        }
    }
    pthread_barrier_wait(&barrier);
    exit(3);
}
