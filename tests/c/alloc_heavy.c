/* Stdio and both clocks before the first allocation, then more than 16 MiB
 * allocated over the run (a changing live set of up to 64 blocks, from a few
 * bytes to 1 MiB, plus realloc chains), every byte written and summed. Any
 * byte of the heap the adapter disturbed changes the checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint32_t next(void) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(state >> 33);
}

int main(void) {
    struct timespec mono, real;
    int clocks_ok = clock_gettime(CLOCK_MONOTONIC, &mono) == 0 && clock_gettime(CLOCK_REALTIME, &real) == 0;
    printf("before any allocation: clocks %s, realtime after 2020: %d\n", clocks_ok ? "read" : "failed",
           real.tv_sec > 1577836800);
    fflush(stdout);
    fprintf(stderr, "stderr before any allocation\n");

    enum { SLOTS = 64 };
    unsigned char *blocks[SLOTS] = {0};
    size_t sizes[SLOTS] = {0};
    uint64_t checksum = 0, allocated = 0;
    for (int round = 0; round < 2000; round++) {
        int slot = next() % SLOTS;
        if (blocks[slot]) {
            for (size_t i = 0; i < sizes[slot]; i += 97) checksum = checksum * 31 + blocks[slot][i];
            free(blocks[slot]);
        }
        size_t size = (next() % 4 == 0) ? (next() % (1u << 20)) + 1 : (next() % 4096) + 1;
        unsigned char *block = malloc(size);
        if (!block) {
            printf("malloc(%zu) failed in round %d\n", size, round);
            return 1;
        }
        memset(block, (int)(round & 0xff), size);
        block[size - 1] = (unsigned char)slot;
        blocks[slot] = block;
        sizes[slot] = size;
        allocated += size;
    }
    /* A realloc chain that moves its data each time it grows. */
    char *text = NULL;
    size_t len = 0;
    for (int i = 0; i < 3000; i++) {
        char piece[32];
        int n = snprintf(piece, sizeof piece, "%d,", i * i);
        text = realloc(text, len + (size_t)n + 1);
        memcpy(text + len, piece, (size_t)n + 1);
        len += (size_t)n;
        allocated += (size_t)n;
    }
    for (size_t i = 0; i < len; i++) checksum = checksum * 31 + (unsigned char)text[i];
    for (int slot = 0; slot < SLOTS; slot++) {
        if (blocks[slot]) {
            for (size_t i = 0; i < sizes[slot]; i += 97) checksum = checksum * 31 + blocks[slot][i];
            free(blocks[slot]);
        }
    }
    free(text);
    printf("allocated more than 16 MiB: %d\n", allocated > (16u << 20));
    printf("checksum %016llx\n", (unsigned long long)checksum);
    return 0;
}
