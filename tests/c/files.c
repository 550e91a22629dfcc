/* Files and directories in the preopened directory given as the first
 * argument: create, write, read back, seek, stat, list (sorted), rename,
 * remove; a 1 MiB file written in pieces and read back with a checksum. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) {
        printf("opendir %s: %s\n", path, strerror(errno));
        return;
    }
    char *names[256];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) && count < 256) names[count++] = strdup(entry->d_name);
    closedir(dir);
    qsort(names, (size_t)count, sizeof names[0], compare);
    printf("%s:", path);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: files DIR\n");
        return 2;
    }
    char path[512], other[512];
    const char *root = argv[1];

    snprintf(path, sizeof path, "%s/c-work", root);
    if (mkdir(path, 0755) != 0) printf("mkdir: %s\n", strerror(errno));
    for (int i = 0; i < 20; i++) {
        snprintf(path, sizeof path, "%s/c-work/file-%02d.txt", root, i);
        FILE *f = fopen(path, "w");
        if (!f) {
            printf("fopen %s: %s\n", path, strerror(errno));
            return 1;
        }
        for (int line = 0; line <= i; line++) fprintf(f, "line %d of file %d\n", line, i);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/c-work/file-07.txt", root);
    FILE *f = fopen(path, "r+");
    char buffer[64] = {0};
    fseek(f, 10, SEEK_SET);
    size_t got = fread(buffer, 1, 20, f);
    printf("read %zu bytes at 10: \"%s\" (now at %ld)\n", got, buffer, ftell(f));
    fseek(f, 0, SEEK_END);
    fputs("appended line\n", f);
    fclose(f);
    struct stat st;
    if (stat(path, &st) == 0) printf("file-07.txt size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));

    snprintf(path, sizeof path, "%s/c-work/big.bin", root);
    f = fopen(path, "wb");
    uint32_t sum = 2166136261u;
    for (int piece = 0; piece < 256; piece++) {
        unsigned char chunk[4096];
        for (int i = 0; i < 4096; i++) chunk[i] = (unsigned char)(piece * 7 + i * 13);
        fwrite(chunk, 1, sizeof chunk, f);
    }
    fclose(f);
    f = fopen(path, "rb");
    unsigned char *all = malloc(1 << 20);
    size_t total = fread(all, 1, 1 << 20, f);
    fclose(f);
    for (size_t i = 0; i < total; i++) sum = (sum ^ all[i]) * 16777619u;
    free(all);
    printf("big.bin: %zu bytes, checksum %08x\n", total, sum);

    snprintf(path, sizeof path, "%s/c-work/file-03.txt", root);
    snprintf(other, sizeof other, "%s/c-work/renamed.txt", root);
    if (rename(path, other) != 0) printf("rename: %s\n", strerror(errno));
    snprintf(path, sizeof path, "%s/c-work/file-04.txt", root);
    if (unlink(path) != 0) printf("unlink: %s\n", strerror(errno));
    snprintf(path, sizeof path, "%s/c-work/empty-dir", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/c-work", root);
    list(path);
    snprintf(path, sizeof path, "%s/c-work/empty-dir", root);
    if (rmdir(path) != 0) printf("rmdir: %s\n", strerror(errno));
    snprintf(path, sizeof path, "%s/c-work/missing.txt", root);
    if (!fopen(path, "r")) printf("missing.txt: %s\n", strerror(errno));
    list(root);
    return 0;
}
