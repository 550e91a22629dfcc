/* The smallest program of its class: it reads the clock before its first
 * allocation, then allocates 8 MiB at once and fills it, and prints a sum. With
 * wasi-libc before 2023, the first malloc takes all memory up to memory.size. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    size_t n = 8u << 20;
    unsigned char *p = malloc(n);
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 31);
    unsigned long sum = 0;
    for (size_t i = 0; i < n; i++) sum += p[i];
    printf("sum %lu\n", sum);
    return 0;
}
