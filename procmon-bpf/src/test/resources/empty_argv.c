/* Execs the given program with an empty argv (argc 0), as a hostile caller may. */
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    char *none[] = { NULL };
    if (argc < 2) {
        return 2;
    }
    execve(argv[1], none, environ);
    return 127;
}
