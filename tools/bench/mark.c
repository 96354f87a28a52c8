/* The reference for bulk marking: an in-place OR of one bit over 2^N 64-bit entries, compiled with
 * the system's C compiler at -O3 by tools/bench/run.mjs. Prints the median and the best (least)
 * milliseconds of `rounds` passes after two warm-up passes: "median-ms <ms>", "min-ms <ms>".
 * run.mjs measures encryptAll the same way (back-to-back passes over the same table, warmed).
 *
 *   cc -O3 -o mark mark.c && ./mark 24 11 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void mark(uint64_t *restrict a, size_t n, uint64_t mask) {
  for (size_t i = 0; i < n; i++) a[i] |= mask;
}

int main(int argc, char **argv) {
  int log2 = argc > 1 ? atoi(argv[1]) : 24;
  int rounds = argc > 2 ? atoi(argv[2]) : 11;
  size_t n = (size_t)1 << log2;
  uint64_t *a = malloc(n * sizeof *a);
  double *ms = malloc(rounds * sizeof *ms);
  if (!a || !ms) return 1;
  uint32_t x = 0x9e3779b9u;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    uint64_t hi = x;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    a[i] = hi << 32 | x;
  }
  uint64_t mask = (uint64_t)1 << 51, sink = 0;
  for (int r = -2; r < rounds; r++) {
    double t = now_ms();
    mark(a, n, mask);
    double d = now_ms() - t;
    sink += a[r & 1023];
    if (r >= 0) ms[r] = d;
  }
  qsort(ms, rounds, sizeof *ms, cmp);
  printf("median-ms %.4f\nmin-ms %.4f\nsink %llu\n", ms[rounds / 2], ms[0], (unsigned long long)(sink & 1));
  return 0;
}
