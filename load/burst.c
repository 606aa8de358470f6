/* Exit burst: K children that have all exec'd (themselves, as "burst --child"), killed with
 * SIGKILL in the same instant (one kill() of their process group). Prints the ground truth,
 * one "pid ppid" line per child, on stdout, then a summary line on stderr.
 *   burst K */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--child") == 0) {
        int ready = atoi(argv[2]);
        char byte = 1;
        if (write(ready, &byte, 1) != 1) {
            return 1;
        }
        close(ready);
        for (;;) {
            pause();
        }
    }
    if (argc < 2) {
        fprintf(stderr, "usage: burst K\n");
        return 2;
    }
    long k = atol(argv[1]);
    if (k < 1) {
        fprintf(stderr, "burst: K must be positive\n");
        return 2;
    }
    int pipefd[2];
    if (pipe(pipefd) != 0) {
        perror("pipe");
        return 1;
    }
    pid_t *pids = calloc(k, sizeof *pids);
    pid_t group = 0;
    char fdarg[16];
    snprintf(fdarg, sizeof fdarg, "%d", pipefd[1]);
    for (long i = 0; i < k; i++) {
        pid_t child = fork();
        if (child < 0) {
            perror("fork");
            kill(-group, SIGKILL);
            return 1;
        }
        if (child == 0) {
            setpgid(0, group);
            close(pipefd[0]);
            execl("/proc/self/exe", "burst", "--child", fdarg, (char *) NULL);
            _exit(127);
        }
        setpgid(child, group); /* both sides, so there is no race */
        if (group == 0) {
            group = child;
        }
        pids[i] = child;
    }
    close(pipefd[1]);
    char buf[4096];
    long ready = 0;
    while (ready < k) {
        ssize_t got = read(pipefd[0], buf, sizeof buf);
        if (got <= 0) {
            fprintf(stderr, "burst: only %ld of %ld children started\n", ready, k);
            kill(-group, SIGKILL);
            return 1;
        }
        ready += got;
    }
    for (long i = 0; i < k; i++) {
        printf("%d %d\n", (int) pids[i], (int) getpid());
    }
    fflush(stdout);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kill(-group, SIGKILL);
    long reaped = 0;
    while (wait(NULL) > 0) {
        reaped++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "burst: %ld children killed at once, all reaped in %.3f s\n", reaped,
            (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    return reaped == k ? 0 : 1;
}
