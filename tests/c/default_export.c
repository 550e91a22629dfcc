// clang flags: -mexec-model=reactor
// The older wasi-sdk entry convention: a reactor (`_initialize`, which runs
// the constructors) whose default export, under the empty name, is the
// program. `wasmtime run` calls `_initialize`, then "".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *greeting;

__attribute__((constructor)) static void set_up(void) {
    greeting = malloc(64);
    strcpy(greeting, "set up by a constructor");
}

__attribute__((export_name(""))) void run_default(void) {
    printf("%s\n", greeting);
    fprintf(stderr, "default export ran\n");
    fflush(stdout);
    exit(5);
}
