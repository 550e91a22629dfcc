// clang flags: -g -O1
// Built with DWARF, allocates (so memory.grow runs, and `adapt` rewrites it),
// then traps three calls deep: a backtrace with WASMTIME_BACKTRACE_DETAILS=1
// names each frame's source line (tests/hosts/debugging.rs).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sum_of(const int *values, int n) {
    int sum = 0;
    for (int i = 0; i < n; i++) {
        sum += values[i];
    }
    return sum;
}

__attribute__((noinline)) static void check(int sum) {
    if (sum != 12345) {
        __builtin_trap();
    }
}

__attribute__((noinline)) static void run(int argc) {
    int n = 1 << 20;
    int *values = malloc(n * sizeof(int));
    memset(values, 0, n * sizeof(int));
    values[argc] = 7;
    printf("allocated %d\n", n);
    fflush(stdout);
    check(sum_of(values, n));
}

int main(int argc, char **argv) {
    (void)argv;
    run(argc);
    return 0;
}
