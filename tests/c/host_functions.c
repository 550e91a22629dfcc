// A program that calls a host function besides WASI: `host.triple`, which
// the embedder provides natively and a second adapter provides in a
// component (tests/differential/other_imports.rs).
#include <stdio.h>

__attribute__((import_module("host"), import_name("triple"))) unsigned host_triple(unsigned);

int main(int argc, char **argv) {
    unsigned total = 0;
    for (unsigned i = 1; i <= 10; i++) {
        total += host_triple(i);
    }
    printf("host.triple(14) = %u, sum over 1..10 = %u, %d arguments\n", host_triple(14), total, argc);
    return total == 165 ? 0 : 1;
}
