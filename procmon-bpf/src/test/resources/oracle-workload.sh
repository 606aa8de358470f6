#!/bin/sh
# The accounting oracle's workload, run as an unprivileged user in a directory of its own: a
# parallel C build (gcc drives cc1, as, collect2 and ld), shell pipelines, a JVM starting
# children, exits by status and by signal, and a process reparented when its parent leaves.
set -e
cd "$1"
java="$2"
for i in 1 2 3 4 5 6 7 8; do
    printf 'int f%d(int x) { return x * %d; }\n' "$i" "$i" > "f$i.c"
done
printf 'int f1(int);\nint main(void) { return f1(0); }\n' > main.c
cat > Makefile <<'MAKE'
OBJS = main.o f1.o f2.o f3.o f4.o f5.o f6.o f7.o f8.o
prog: $(OBJS)
	cc -o $@ $(OBJS)
%.o: %.c
	cc -O1 -c -o $@ $<
MAKE
make -s -j4 prog
./prog
seq 1 2000 | sort -r | uniq | wc -l > /dev/null
ls -la . | grep -c Makefile > /dev/null
cat > Spawn.java <<'JAVA'
public class Spawn {
    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 3; i++) {
            new ProcessBuilder("sh", "-c", "exit " + (10 + i)).start().waitFor();
        }
    }
}
JAVA
"$java" -XX:-UsePerfData -Xshare:auto Spawn.java
sh -c 'exit 42' || true
sh -c 'kill -TERM $$' || true
sleep 30 &
kill -KILL $! || true
sh -c 'sleep 0.3 &'   # the sleep outlives its parent and is reparented
sleep 0.6
wait
