/* Runs a command with SIGINT and SIGTERM at their defaults. A process started in the
 * background by a non-interactive shell inherits SIGINT ignored, and a JVM then never
 * sees Ctrl+C; the end-to-end test needs the disposition an operator's terminal gives. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: sigdfl command [args...]\n");
        return 2;
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
