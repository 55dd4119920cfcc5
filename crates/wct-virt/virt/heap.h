// What every virtualizing module compiled from C shares: its configuration, which `wct virt`
// writes at `__heap_base` (the module's own data and stack end there), and the allocator
// (malloc, free, realloc, calloc; the bindings' `cabi_realloc` calls realloc), whose heap
// starts after the configuration. Nothing here needs WASI: the modules link no libc function
// that does. Included once, by the module's C file, after its `layout.h` (made from
// `virt/config.wit`), which says where the configuration's total size is (`CONFIG_TOTAL_SIZE`).
#ifndef WCT_VIRT_HEAP_H
#define WCT_VIRT_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern unsigned char __heap_base;

static const uint8_t *config(void) { return &__heap_base; }

static uint32_t config_u32(uint32_t offset) {
  uint32_t v;
  memcpy(&v, config() + offset, 4);
  return v;
}

// ---- memory: size classes of powers of two, each with a free list ----

typedef struct block {
  struct block *next;
} block;

static block *free_lists[32];
static uint8_t *heap_next;
static uint8_t *heap_end;

static int size_class(size_t size) {
  int c = 4;
  while (((size_t)1 << c) < size + 8) c++;
  return c;
}

static uint8_t *heap_take(size_t size) {
  if (!heap_next) {
    heap_next = (uint8_t *)config() + ((config_u32(CONFIG_TOTAL_SIZE) + 15) & ~15u);
    heap_end = (uint8_t *)(__builtin_wasm_memory_size(0) * 65536);
  }
  while ((size_t)(heap_end - heap_next) < size) {
    size_t pages = (size - (size_t)(heap_end - heap_next) + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
    heap_end += pages * 65536;
  }
  uint8_t *p = heap_next;
  heap_next += size;
  return p;
}

void *malloc(size_t size) {
  int c = size_class(size);
  uint8_t *p;
  if (free_lists[c]) {
    p = (uint8_t *)free_lists[c];
    free_lists[c] = free_lists[c]->next;
    p -= 8;
  } else {
    p = heap_take((size_t)1 << c);
  }
  *(uint32_t *)p = (uint32_t)c;
  return p + 8;
}

void free(void *ptr) {
  if (!ptr) return;
  uint8_t *p = (uint8_t *)ptr;
  int c = (int)*(uint32_t *)(p - 8);
  ((block *)p)->next = free_lists[c];
  free_lists[c] = (block *)p;
}

void *realloc(void *ptr, size_t size) {
  if (!ptr) return malloc(size);
  int c = (int)*(uint32_t *)((uint8_t *)ptr - 8);
  size_t have = ((size_t)1 << c) - 8;
  if (size <= have) return ptr;
  void *bigger = malloc(size);
  memcpy(bigger, ptr, have);
  free(ptr);
  return bigger;
}

void *calloc(size_t n, size_t size) {
  void *p = malloc(n * size);
  memset(p, 0, n * size);
  return p;
}

void abort(void) { __builtin_trap(); }

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

#endif
