/* Exec storm: N fork+exec of a program (default /bin/true) from P worker processes, as fast as
 * the machine allows. Prints the ground truth, one "pid ppid" line per exec'd child, on stdout,
 * then a summary line on stderr.
 *   storm [-v] N P [program]
 * Workers are forked (never exec'd), so every child's parent is a worker. With -v the children
 * are started with vfork, as posix_spawn does: the worker's memory is not copied, so on a guest
 * with costly page-table copies the storm runs about 1.5 times as fast. The benches leave it
 * off, so their storms stay the ones their figures were measured under. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int use_vfork = argc > 1 && strcmp(argv[1], "-v") == 0;
    if (use_vfork) {
        argv++;
        argc--;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: storm [-v] N P [program]\n");
        return 2;
    }
    long n = atol(argv[1]);
    int p = atoi(argv[2]);
    const char *program = argc > 3 ? argv[3] : "/bin/true";
    if (n < 1 || p < 1) {
        fprintf(stderr, "storm: N and P must be positive\n");
        return 2;
    }
    fflush(stdout);
    double start = now();
    for (int w = 0; w < p; w++) {
        pid_t worker = fork();
        if (worker < 0) {
            perror("fork");
            return 1;
        }
        if (worker == 0) {
            long mine = n / p + (w < n % p ? 1 : 0);
            char line[64];
            for (long i = 0; i < mine; i++) {
                pid_t child = use_vfork ? vfork() : fork();
                if (child < 0) {
                    perror("fork");
                    _exit(1);
                }
                if (child == 0) {
                    execl(program, program, (char *) NULL);
                    _exit(127);
                }
                int status;
                waitpid(child, &status, 0);
                if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
                    fprintf(stderr, "storm: %s failed\n", program);
                    _exit(1);
                }
                int len = snprintf(line, sizeof line, "%d %d\n", (int) child, (int) getpid());
                if (write(1, line, len) != len) { /* one write per line: lines never interleave */
                    _exit(1);
                }
            }
            _exit(0);
        }
    }
    int failed = 0, status;
    while (wait(&status) > 0) {
        failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    double elapsed = now() - start;
    fprintf(stderr, "storm: %ld execs from %d workers in %.3f s: %.0f execs/s\n", n, p, elapsed, n / elapsed);
    return failed;
}
