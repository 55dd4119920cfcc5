// The virtual files and stdio of WASI 0.2 (`wct virt --mount/--overlay/--std* ignore`).
//
// It exports `wasi:io/streams`, `wasi:cli/stdin|stdout|stderr`, `wasi:filesystem/types`
// and `wasi:filesystem/preopens`, because a virtual file is read and written through
// streams: every stream the component gets therefore comes from here, either wrapping the
// host's (allowed stdio, the host's preopens passed through) or served from memory (baked
// trees, the in-memory overlay, ignored stdio). Pollables and errors stay the host's: a
// memory stream is always ready, so its pollable is the host's zero-length timer.
//
// The configuration is data at `__heap_base` (written by `wct virt`, layout below); the
// allocator starts after it. Nothing here calls a libc function that needs WASI.

#include "files.h"
#include "layout.h"
#define CONFIG_TOTAL_SIZE FILES_TOTAL_SIZE
#include "heap.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// ---- configuration: the records `files`, `files-preopen` and `files-node` of
// virt/config.wit, at the offsets layout.h gives (little-endian u32 fields) ----

// The field at `field` of record number `i` of an array of `size`-byte records at `at`.
static uint32_t config_record_u32(uint32_t at, uint32_t size, uint32_t i, uint32_t field) {
  return config_u32(at + i * size + field);
}
#define PREOPEN(i, FIELD) \
  config_record_u32(config_u32(FILES_PREOPENS_AT), FILES_PREOPEN_SIZE, i, FILES_PREOPEN_##FIELD)
#define NODE(i, FIELD) \
  config_record_u32(config_u32(FILES_NODES_AT), FILES_NODE_SIZE, i, FILES_NODE_##FIELD)
enum { NODE_DIRECTORY = 0, NODE_FILE = 1 };
enum { PREOPEN_HOST = 0, PREOPEN_TREE = 1, PREOPEN_ALL_HOST = 2 };

enum { MODE_ALLOW = 0, MODE_DENY = 1, MODE_IGNORE = 2 };

// The bindings ask for their component-type object; `wct virt` embeds the type itself (for
// the WASI versions of the component being virtualized), so that object is not linked.
void __component_type_object_force_link_files(void) {}

// ---- the tree in memory ----

typedef exports_wasi_filesystem_types_error_code_t error_code;
#define E(name) EXPORTS_WASI_FILESYSTEM_TYPES_ERROR_CODE_##name
#define TYPE_DIRECTORY EXPORTS_WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_DIRECTORY
#define TYPE_FILE EXPORTS_WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_REGULAR_FILE
#define FLAG_READ EXPORTS_WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ
#define FLAG_WRITE EXPORTS_WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE
#define FLAG_MUTATE EXPORTS_WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_MUTATE_DIRECTORY

typedef struct node {
  uint8_t type;
  bool writable;  // part of the overlay
  bool owned;     // data is a heap copy (else it points into the configuration)
  bool removed;
  const char *name;
  size_t name_len;
  uint8_t *data;
  size_t len, cap;
  uint64_t id;
  struct node *parent;  // NULL for a root
  struct node *child, *next;
} node;

static node *nodes;  // the baked nodes, in configuration order
static uint64_t next_id = 1;
static bool loaded;

static void add_child(node *dir, node *n) {
  n->parent = dir;
  n->next = dir->child;
  dir->child = n;
}

static void load(void) {
  if (loaded) return;
  loaded = true;
  uint32_t count = config_u32(FILES_NODE_COUNT);
  nodes = calloc(count ? count : 1, sizeof(node));
  for (uint32_t i = 0; i < count; i++) {
    node *n = &nodes[i];
    n->type = NODE(i, KIND) == NODE_DIRECTORY ? TYPE_DIRECTORY : TYPE_FILE;
    n->name = (const char *)config() + NODE(i, NAME_AT);
    n->name_len = NODE(i, NAME_LEN);
    n->data = (uint8_t *)config() + NODE(i, DATA_AT);
    n->len = n->cap = NODE(i, DATA_LEN);
    n->id = next_id++;
  }
  // Children in reverse so that a directory lists them in configuration order.
  for (uint32_t i = count; i-- > 0;) {
    uint32_t parent = NODE(i, PARENT);
    if (parent != i) add_child(&nodes[parent], &nodes[i]);
  }
  uint32_t preopens = config_u32(FILES_PREOPEN_COUNT);
  for (uint32_t i = 0; i < preopens; i++) {
    if (PREOPEN(i, KIND) == PREOPEN_TREE && PREOPEN(i, WRITABLE)) {
      // The overlay: the whole tree is writable.
      node *stack[64];
      int top = 0;
      stack[top++] = &nodes[PREOPEN(i, ROOT)];
      while (top) {
        node *n = stack[--top];
        n->writable = true;
        for (node *c = n->child; c && top < 64; c = c->next) stack[top++] = c;
      }
    }
  }
}

static node *find_child(node *dir, const char *name, size_t len) {
  for (node *c = dir->child; c; c = c->next)
    if (!c->removed && c->name_len == len && memcmp(c->name, name, len) == 0) return c;
  return NULL;
}

// Walks `path` from `base` to the directory holding its last component, which is returned
// in `leaf` (empty for "." or a trailing slash). Paths cannot be absolute or leave `base`.
static bool walk(node *base, const uint8_t *path, size_t len, node **dir, const char **leaf,
                 size_t *leaf_len, error_code *err) {
  if (len > 0 && path[0] == '/') {
    *err = E(NOT_PERMITTED);
    return false;
  }
  node *at = base;
  int depth = 0;
  size_t i = 0;
  *leaf = "";
  *leaf_len = 0;
  while (i < len) {
    size_t start = i;
    while (i < len && path[i] != '/') i++;
    const char *part = (const char *)path + start;
    size_t part_len = i - start;
    bool last = true;
    for (size_t j = i; j < len; j++)
      if (path[j] != '/') last = false;
    while (i < len && path[i] == '/') i++;
    if (part_len == 0 || (part_len == 1 && part[0] == '.')) continue;
    if (part_len == 2 && part[0] == '.' && part[1] == '.') {
      if (depth == 0 || !at->parent) {
        *err = E(NOT_PERMITTED);
        return false;
      }
      at = at->parent;
      depth--;
      continue;
    }
    if (last) {
      *leaf = part;
      *leaf_len = part_len;
      break;
    }
    node *next = find_child(at, part, part_len);
    if (!next) {
      *err = E(NO_ENTRY);
      return false;
    }
    if (next->type != TYPE_DIRECTORY) {
      *err = E(NOT_DIRECTORY);
      return false;
    }
    at = next;
    depth++;
  }
  *dir = at;
  return true;
}

// The node `path` names from `base`.
static node *lookup(node *base, const uint8_t *path, size_t len, error_code *err) {
  node *dir;
  const char *leaf;
  size_t leaf_len;
  if (!walk(base, path, len, &dir, &leaf, &leaf_len, err)) return NULL;
  if (leaf_len == 0) return dir;
  node *n = find_child(dir, leaf, leaf_len);
  if (!n) *err = E(NO_ENTRY);
  return n;
}

// Makes a file's data its own before it changes, with room for `size` bytes.
static void reserve(node *n, size_t size) {
  if (n->owned && size <= n->cap) return;
  size_t cap = n->cap > 64 ? n->cap : 64;
  while (cap < size) cap *= 2;
  uint8_t *data = malloc(cap);
  memcpy(data, n->data, n->len);
  if (n->owned) free(n->data);
  n->data = data;
  n->cap = cap;
  n->owned = true;
}

static void write_at(node *n, const uint8_t *bytes, size_t len, uint64_t offset) {
  size_t end = (size_t)offset + len;
  reserve(n, end > n->len ? end : n->len);
  if (offset > n->len) memset(n->data + n->len, 0, (size_t)offset - n->len);
  memcpy(n->data + offset, bytes, len);
  if (end > n->len) n->len = end;
}

// ---- streams ----

// A denied standard stream is one that is refused where it is used rather than when it is
// taken: stdin is STREAM_EMPTY (a read finds the end), stdout and stderr STREAM_CLOSED (a
// write fails with `closed`), so a program that takes all three at start-up (the Preview 1
// adapter does) runs as long as it does not use the ones it was denied.
enum { STREAM_HOST, STREAM_FILE, STREAM_EMPTY, STREAM_DISCARD, STREAM_CLOSED };

struct exports_wasi_io_streams_input_stream_t {
  int kind;
  wasi_io_streams_own_input_stream_t host;
  node *file;
  uint64_t position;
};

struct exports_wasi_io_streams_output_stream_t {
  int kind;
  wasi_io_streams_own_output_stream_t host;
  node *file;
  uint64_t position;
  bool append;
};

typedef exports_wasi_io_streams_input_stream_t input_stream;
typedef exports_wasi_io_streams_output_stream_t output_stream;
typedef exports_wasi_io_streams_stream_error_t stream_error;

_Static_assert(sizeof(stream_error) == sizeof(wasi_io_streams_stream_error_t), "same layout");

static input_stream *new_input(int kind) {
  input_stream *s = calloc(1, sizeof(input_stream));
  s->kind = kind;
  return s;
}

static output_stream *new_output(int kind) {
  output_stream *s = calloc(1, sizeof(output_stream));
  s->kind = kind;
  return s;
}

static wasi_io_streams_borrow_input_stream_t host_in(input_stream *s) {
  return wasi_io_streams_borrow_input_stream(s->host);
}

static wasi_io_streams_borrow_output_stream_t host_out(output_stream *s) {
  return wasi_io_streams_borrow_output_stream(s->host);
}

static bool closed(stream_error *err) {
  err->tag = EXPORTS_WASI_IO_STREAMS_STREAM_ERROR_CLOSED;
  return false;
}

static wasi_io_poll_own_pollable_t ready(void) {
  return wasi_clocks_monotonic_clock_subscribe_duration(0);
}

void exports_wasi_io_streams_input_stream_destructor(input_stream *s) {
  if (s->kind == STREAM_HOST) wasi_io_streams_input_stream_drop_own(s->host);
  free(s);
}

void exports_wasi_io_streams_output_stream_destructor(output_stream *s) {
  if (s->kind == STREAM_HOST) wasi_io_streams_output_stream_drop_own(s->host);
  free(s);
}

bool exports_wasi_io_streams_method_input_stream_read(input_stream *s, uint64_t len,
                                                      files_list_u8_t *ret, stream_error *err) {
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_input_stream_read(host_in(s), len, ret,
                                                     (wasi_io_streams_stream_error_t *)err);
  if (s->kind == STREAM_EMPTY || s->position >= s->file->len) return closed(err);
  uint64_t left = s->file->len - s->position;
  size_t n = (size_t)(len < left ? len : left);
  ret->ptr = malloc(n ? n : 1);
  ret->len = n;
  memcpy(ret->ptr, s->file->data + s->position, n);
  s->position += n;
  return true;
}

bool exports_wasi_io_streams_method_input_stream_blocking_read(input_stream *s, uint64_t len,
                                                               files_list_u8_t *ret,
                                                               stream_error *err) {
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_input_stream_blocking_read(
        host_in(s), len, ret, (wasi_io_streams_stream_error_t *)err);
  return exports_wasi_io_streams_method_input_stream_read(s, len, ret, err);
}

bool exports_wasi_io_streams_method_input_stream_skip(input_stream *s, uint64_t len,
                                                      uint64_t *ret, stream_error *err) {
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_input_stream_skip(host_in(s), len, ret,
                                                     (wasi_io_streams_stream_error_t *)err);
  if (s->kind == STREAM_EMPTY || s->position >= s->file->len) return closed(err);
  uint64_t left = s->file->len - s->position;
  *ret = len < left ? len : left;
  s->position += *ret;
  return true;
}

bool exports_wasi_io_streams_method_input_stream_blocking_skip(input_stream *s, uint64_t len,
                                                               uint64_t *ret,
                                                               stream_error *err) {
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_input_stream_blocking_skip(
        host_in(s), len, ret, (wasi_io_streams_stream_error_t *)err);
  return exports_wasi_io_streams_method_input_stream_skip(s, len, ret, err);
}

exports_wasi_io_streams_own_pollable_t exports_wasi_io_streams_method_input_stream_subscribe(
    input_stream *s) {
  if (s->kind == STREAM_HOST) return wasi_io_streams_method_input_stream_subscribe(host_in(s));
  return ready();
}

// The room a memory stream offers per write.
#define MEMORY_WRITE_ROOM 65536

bool exports_wasi_io_streams_method_output_stream_check_write(output_stream *s, uint64_t *ret,
                                                              stream_error *err) {
  if (s->kind == STREAM_CLOSED) return closed(err);
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_output_stream_check_write(
        host_out(s), ret, (wasi_io_streams_stream_error_t *)err);
  *ret = MEMORY_WRITE_ROOM;
  return true;
}

static void memory_write(output_stream *s, const uint8_t *bytes, size_t len) {
  if (s->kind != STREAM_FILE) return;
  if (s->append) s->position = s->file->len;
  write_at(s->file, bytes, len, s->position);
  s->position += len;
}

bool exports_wasi_io_streams_method_output_stream_write(output_stream *s,
                                                        files_list_u8_t *contents,
                                                        stream_error *err) {
  bool ok = true;
  if (s->kind == STREAM_CLOSED)
    ok = closed(err);
  else if (s->kind == STREAM_HOST)
    ok = wasi_io_streams_method_output_stream_write(host_out(s), contents,
                                                    (wasi_io_streams_stream_error_t *)err);
  else
    memory_write(s, contents->ptr, contents->len);
  files_list_u8_free(contents);
  return ok;
}

bool exports_wasi_io_streams_method_output_stream_blocking_write_and_flush(
    output_stream *s, files_list_u8_t *contents, stream_error *err) {
  bool ok = true;
  if (s->kind == STREAM_CLOSED)
    ok = closed(err);
  else if (s->kind == STREAM_HOST)
    ok = wasi_io_streams_method_output_stream_blocking_write_and_flush(
        host_out(s), contents, (wasi_io_streams_stream_error_t *)err);
  else
    memory_write(s, contents->ptr, contents->len);
  files_list_u8_free(contents);
  return ok;
}

bool exports_wasi_io_streams_method_output_stream_flush(output_stream *s, stream_error *err) {
  if (s->kind == STREAM_CLOSED) return closed(err);
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_output_stream_flush(host_out(s),
                                                      (wasi_io_streams_stream_error_t *)err);
  return true;
}

bool exports_wasi_io_streams_method_output_stream_blocking_flush(output_stream *s,
                                                                 stream_error *err) {
  if (s->kind == STREAM_CLOSED) return closed(err);
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_output_stream_blocking_flush(
        host_out(s), (wasi_io_streams_stream_error_t *)err);
  return true;
}

exports_wasi_io_streams_own_pollable_t exports_wasi_io_streams_method_output_stream_subscribe(
    output_stream *s) {
  if (s->kind == STREAM_HOST) return wasi_io_streams_method_output_stream_subscribe(host_out(s));
  return ready();
}

static void memory_zeroes(output_stream *s, uint64_t len) {
  uint8_t zeroes[256] = {0};
  while (len > 0) {
    size_t n = len < sizeof zeroes ? (size_t)len : sizeof zeroes;
    memory_write(s, zeroes, n);
    len -= n;
  }
}

bool exports_wasi_io_streams_method_output_stream_write_zeroes(output_stream *s, uint64_t len,
                                                               stream_error *err) {
  if (s->kind == STREAM_CLOSED) return closed(err);
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_output_stream_write_zeroes(
        host_out(s), len, (wasi_io_streams_stream_error_t *)err);
  memory_zeroes(s, len);
  return true;
}

bool exports_wasi_io_streams_method_output_stream_blocking_write_zeroes_and_flush(
    output_stream *s, uint64_t len, stream_error *err) {
  if (s->kind == STREAM_CLOSED) return closed(err);
  if (s->kind == STREAM_HOST)
    return wasi_io_streams_method_output_stream_blocking_write_zeroes_and_flush(
        host_out(s), len, (wasi_io_streams_stream_error_t *)err);
  memory_zeroes(s, len);
  return true;
}

// Copies up to `len` bytes from `src` into `s`: the host's own splice when both are the
// host's, else a read and a write.
static bool splice(output_stream *s, input_stream *src, uint64_t len, uint64_t *ret,
                   stream_error *err, bool blocking) {
  if (s->kind == STREAM_CLOSED) return closed(err);
  if (s->kind == STREAM_HOST && src->kind == STREAM_HOST) {
    wasi_io_streams_stream_error_t *e = (wasi_io_streams_stream_error_t *)err;
    return blocking ? wasi_io_streams_method_output_stream_blocking_splice(host_out(s),
                                                                           host_in(src), len,
                                                                           ret, e)
                    : wasi_io_streams_method_output_stream_splice(host_out(s), host_in(src),
                                                                  len, ret, e);
  }
  if (len > MEMORY_WRITE_ROOM) len = MEMORY_WRITE_ROOM;
  files_list_u8_t bytes;
  bool ok = blocking ? exports_wasi_io_streams_method_input_stream_blocking_read(src, len,
                                                                                 &bytes, err)
                     : exports_wasi_io_streams_method_input_stream_read(src, len, &bytes, err);
  if (!ok) return false;
  *ret = bytes.len;
  return exports_wasi_io_streams_method_output_stream_blocking_write_and_flush(s, &bytes, err);
}

bool exports_wasi_io_streams_method_output_stream_splice(output_stream *s, input_stream *src,
                                                         uint64_t len, uint64_t *ret,
                                                         stream_error *err) {
  return splice(s, src, len, ret, err, false);
}

bool exports_wasi_io_streams_method_output_stream_blocking_splice(output_stream *s,
                                                                  input_stream *src,
                                                                  uint64_t len, uint64_t *ret,
                                                                  stream_error *err) {
  return splice(s, src, len, ret, err, true);
}

// ---- stdio ----

exports_wasi_cli_stdin_own_input_stream_t exports_wasi_cli_stdin_get_stdin(void) {
  uint32_t mode = config_u32(FILES_STDIN);
  input_stream *s = new_input(mode == MODE_ALLOW ? STREAM_HOST : STREAM_EMPTY);
  if (mode == MODE_ALLOW) s->host = wasi_cli_stdin_get_stdin();
  return exports_wasi_io_streams_input_stream_new(s);
}

exports_wasi_cli_stdout_own_output_stream_t exports_wasi_cli_stdout_get_stdout(void) {
  uint32_t mode = config_u32(FILES_STDOUT);
  output_stream *s = new_output(mode == MODE_ALLOW    ? STREAM_HOST
                                : mode == MODE_IGNORE ? STREAM_DISCARD
                                                      : STREAM_CLOSED);
  if (mode == MODE_ALLOW) s->host = wasi_cli_stdout_get_stdout();
  return exports_wasi_io_streams_output_stream_new(s);
}

exports_wasi_cli_stderr_own_output_stream_t exports_wasi_cli_stderr_get_stderr(void) {
  uint32_t mode = config_u32(FILES_STDERR);
  output_stream *s = new_output(mode == MODE_ALLOW    ? STREAM_HOST
                                : mode == MODE_IGNORE ? STREAM_DISCARD
                                                      : STREAM_CLOSED);
  if (mode == MODE_ALLOW) s->host = wasi_cli_stderr_get_stderr();
  return exports_wasi_io_streams_output_stream_new(s);
}

// ---- descriptors ----

struct exports_wasi_filesystem_types_descriptor_t {
  bool is_host;
  wasi_filesystem_types_own_descriptor_t host;
  node *node;
  uint8_t flags;
};

struct exports_wasi_filesystem_types_directory_entry_stream_t {
  bool is_host;
  wasi_filesystem_types_own_directory_entry_stream_t host;
  node *next;
};

typedef exports_wasi_filesystem_types_descriptor_t descriptor;
typedef exports_wasi_filesystem_types_directory_entry_stream_t entry_stream;
typedef wasi_filesystem_types_error_code_t host_error_code;

static wasi_filesystem_types_borrow_descriptor_t host_fd(descriptor *d) {
  return wasi_filesystem_types_borrow_descriptor(d->host);
}

static exports_wasi_filesystem_types_own_descriptor_t new_virtual(node *n, uint8_t flags) {
  descriptor *d = calloc(1, sizeof(descriptor));
  d->node = n;
  d->flags = flags;
  return exports_wasi_filesystem_types_descriptor_new(d);
}

static exports_wasi_filesystem_types_own_descriptor_t new_host(
    wasi_filesystem_types_own_descriptor_t host) {
  descriptor *d = calloc(1, sizeof(descriptor));
  d->is_host = true;
  d->host = host;
  return exports_wasi_filesystem_types_descriptor_new(d);
}

void exports_wasi_filesystem_types_descriptor_destructor(descriptor *d) {
  if (d->is_host) wasi_filesystem_types_descriptor_drop_own(d->host);
  free(d);
}

void exports_wasi_filesystem_types_directory_entry_stream_destructor(entry_stream *s) {
  if (s->is_host) wasi_filesystem_types_directory_entry_stream_drop_own(s->host);
  free(s);
}

static bool fail(error_code *err, error_code code) {
  *err = code;
  return false;
}

// A change to `n` through `d`: allowed in the overlay only.
static bool may_change(descriptor *d, node *n, error_code *err) {
  if (!n->writable) return fail(err, E(READ_ONLY));
  if (d && !(d->flags & (FLAG_WRITE | FLAG_MUTATE))) return fail(err, E(BAD_DESCRIPTOR));
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_read_via_stream(
    descriptor *d, uint64_t offset, exports_wasi_io_streams_own_input_stream_t *ret,
    error_code *err) {
  if (d->is_host) {
    wasi_io_streams_own_input_stream_t host;
    if (!wasi_filesystem_types_method_descriptor_read_via_stream(host_fd(d), offset, &host,
                                                                 (host_error_code *)err))
      return false;
    input_stream *s = new_input(STREAM_HOST);
    s->host = host;
    *ret = exports_wasi_io_streams_input_stream_new(s);
    return true;
  }
  if (d->node->type != TYPE_FILE) return fail(err, E(IS_DIRECTORY));
  if (!(d->flags & FLAG_READ)) return fail(err, E(BAD_DESCRIPTOR));
  input_stream *s = new_input(STREAM_FILE);
  s->file = d->node;
  s->position = offset;
  *ret = exports_wasi_io_streams_input_stream_new(s);
  return true;
}

static bool output_via_stream(descriptor *d, uint64_t offset, bool append,
                              exports_wasi_io_streams_own_output_stream_t *ret,
                              error_code *err) {
  if (d->is_host) {
    wasi_io_streams_own_output_stream_t host;
    bool ok = append ? wasi_filesystem_types_method_descriptor_append_via_stream(
                           host_fd(d), &host, (host_error_code *)err)
                     : wasi_filesystem_types_method_descriptor_write_via_stream(
                           host_fd(d), offset, &host, (host_error_code *)err);
    if (!ok) return false;
    output_stream *s = new_output(STREAM_HOST);
    s->host = host;
    *ret = exports_wasi_io_streams_output_stream_new(s);
    return true;
  }
  if (d->node->type != TYPE_FILE) return fail(err, E(IS_DIRECTORY));
  if (!may_change(d, d->node, err)) return false;
  output_stream *s = new_output(STREAM_FILE);
  s->file = d->node;
  s->position = offset;
  s->append = append;
  *ret = exports_wasi_io_streams_output_stream_new(s);
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_write_via_stream(
    descriptor *d, uint64_t offset, exports_wasi_io_streams_own_output_stream_t *ret,
    error_code *err) {
  return output_via_stream(d, offset, false, ret, err);
}

bool exports_wasi_filesystem_types_method_descriptor_append_via_stream(
    descriptor *d, exports_wasi_io_streams_own_output_stream_t *ret, error_code *err) {
  return output_via_stream(d, 0, true, ret, err);
}

bool exports_wasi_filesystem_types_method_descriptor_advise(
    descriptor *d, uint64_t offset, uint64_t length,
    exports_wasi_filesystem_types_advice_t advice, error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_advise(host_fd(d), offset, length, advice,
                                                          (host_error_code *)err);
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_sync_data(descriptor *d, error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_sync_data(host_fd(d), (host_error_code *)err);
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_sync(descriptor *d, error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_sync(host_fd(d), (host_error_code *)err);
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_get_flags(
    descriptor *d, exports_wasi_filesystem_types_descriptor_flags_t *ret, error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_get_flags(host_fd(d), ret,
                                                             (host_error_code *)err);
  *ret = d->flags;
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_get_type(
    descriptor *d, exports_wasi_filesystem_types_descriptor_type_t *ret, error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_get_type(host_fd(d), ret,
                                                            (host_error_code *)err);
  *ret = d->node->type;
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_set_size(descriptor *d, uint64_t size,
                                                              error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_set_size(host_fd(d), size,
                                                            (host_error_code *)err);
  if (d->node->type != TYPE_FILE) return fail(err, E(IS_DIRECTORY));
  if (!may_change(d, d->node, err)) return false;
  reserve(d->node, (size_t)size);
  if (size > d->node->len) memset(d->node->data + d->node->len, 0, (size_t)size - d->node->len);
  d->node->len = (size_t)size;
  return true;
}

_Static_assert(sizeof(exports_wasi_filesystem_types_new_timestamp_t) ==
                   sizeof(wasi_filesystem_types_new_timestamp_t),
               "same layout");

bool exports_wasi_filesystem_types_method_descriptor_set_times(
    descriptor *d, exports_wasi_filesystem_types_new_timestamp_t *access,
    exports_wasi_filesystem_types_new_timestamp_t *modification, error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_set_times(
        host_fd(d), (wasi_filesystem_types_new_timestamp_t *)access,
        (wasi_filesystem_types_new_timestamp_t *)modification, (host_error_code *)err);
  // Virtual files have no timestamps to keep.
  return may_change(NULL, d->node, err);
}

bool exports_wasi_filesystem_types_method_descriptor_read(descriptor *d, uint64_t length,
                                                          uint64_t offset,
                                                          files_tuple2_list_u8_bool_t *ret,
                                                          error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_read(host_fd(d), length, offset, ret,
                                                        (host_error_code *)err);
  node *n = d->node;
  if (n->type != TYPE_FILE) return fail(err, E(IS_DIRECTORY));
  if (!(d->flags & FLAG_READ)) return fail(err, E(BAD_DESCRIPTOR));
  uint64_t left = offset < n->len ? n->len - offset : 0;
  size_t count = (size_t)(length < left ? length : left);
  ret->f0.ptr = malloc(count ? count : 1);
  ret->f0.len = count;
  if (count) memcpy(ret->f0.ptr, n->data + offset, count);
  ret->f1 = offset + count >= n->len;
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_write(descriptor *d,
                                                           files_list_u8_t *buffer,
                                                           uint64_t offset, uint64_t *ret,
                                                           error_code *err) {
  bool ok;
  if (d->is_host) {
    ok = wasi_filesystem_types_method_descriptor_write(host_fd(d), buffer, offset, ret,
                                                       (host_error_code *)err);
  } else if (d->node->type != TYPE_FILE) {
    ok = fail(err, E(IS_DIRECTORY));
  } else if ((ok = may_change(d, d->node, err))) {
    write_at(d->node, buffer->ptr, buffer->len, offset);
    *ret = buffer->len;
  }
  files_list_u8_free(buffer);
  return ok;
}

bool exports_wasi_filesystem_types_method_descriptor_read_directory(
    descriptor *d, exports_wasi_filesystem_types_own_directory_entry_stream_t *ret,
    error_code *err) {
  entry_stream *s;
  if (d->is_host) {
    wasi_filesystem_types_own_directory_entry_stream_t host;
    if (!wasi_filesystem_types_method_descriptor_read_directory(host_fd(d), &host,
                                                                (host_error_code *)err))
      return false;
    s = calloc(1, sizeof(entry_stream));
    s->is_host = true;
    s->host = host;
  } else {
    if (d->node->type != TYPE_DIRECTORY) return fail(err, E(NOT_DIRECTORY));
    s = calloc(1, sizeof(entry_stream));
    s->next = d->node->child;
  }
  *ret = exports_wasi_filesystem_types_directory_entry_stream_new(s);
  return true;
}

_Static_assert(sizeof(exports_wasi_filesystem_types_option_directory_entry_t) ==
                   sizeof(wasi_filesystem_types_option_directory_entry_t),
               "same layout");

bool exports_wasi_filesystem_types_method_directory_entry_stream_read_directory_entry(
    entry_stream *s, exports_wasi_filesystem_types_option_directory_entry_t *ret,
    error_code *err) {
  if (s->is_host)
    return wasi_filesystem_types_method_directory_entry_stream_read_directory_entry(
        wasi_filesystem_types_borrow_directory_entry_stream(s->host),
        (wasi_filesystem_types_option_directory_entry_t *)ret, (host_error_code *)err);
  while (s->next && s->next->removed) s->next = s->next->next;
  if (!s->next) {
    ret->is_some = false;
    return true;
  }
  ret->is_some = true;
  ret->val.type = s->next->type;
  files_string_dup_n(&ret->val.name, s->next->name, s->next->name_len);
  s->next = s->next->next;
  return true;
}

// A new node named `name` (copied) in `dir`.
static node *create(node *dir, const char *name, size_t len, uint8_t type) {
  node *n = calloc(1, sizeof(node));
  char *copy = malloc(len ? len : 1);
  memcpy(copy, name, len);
  n->type = type;
  n->name = copy;
  n->name_len = len;
  n->writable = true;
  n->owned = true;
  n->id = next_id++;
  add_child(dir, n);
  return n;
}

// The directory holding `path`'s last component and that component, for a change through
// `d`: fails when the path is not there, names `.`, or leaves the overlay.
static bool parent_for_change(descriptor *d, files_string_t *path, node **dir, const char **leaf,
                              size_t *leaf_len, error_code *err) {
  if (!walk(d->node, path->ptr, path->len, dir, leaf, leaf_len, err)) return false;
  if (*leaf_len == 0) return fail(err, E(INVALID));
  return may_change(d, *dir, err);
}

bool exports_wasi_filesystem_types_method_descriptor_create_directory_at(descriptor *d,
                                                                         files_string_t *path,
                                                                         error_code *err) {
  bool ok;
  if (d->is_host) {
    ok = wasi_filesystem_types_method_descriptor_create_directory_at(host_fd(d), path,
                                                                     (host_error_code *)err);
  } else {
    node *dir;
    const char *leaf;
    size_t leaf_len;
    ok = parent_for_change(d, path, &dir, &leaf, &leaf_len, err);
    if (ok && find_child(dir, leaf, leaf_len)) ok = fail(err, E(EXIST));
    if (ok) create(dir, leaf, leaf_len, TYPE_DIRECTORY);
  }
  files_string_free(path);
  return ok;
}

static void stat_of(node *n, exports_wasi_filesystem_types_descriptor_stat_t *ret) {
  memset(ret, 0, sizeof *ret);
  ret->type = n->type;
  ret->link_count = 1;
  ret->size = n->type == TYPE_FILE ? n->len : 0;
}

_Static_assert(sizeof(exports_wasi_filesystem_types_descriptor_stat_t) ==
                   sizeof(wasi_filesystem_types_descriptor_stat_t),
               "same layout");

bool exports_wasi_filesystem_types_method_descriptor_stat(
    descriptor *d, exports_wasi_filesystem_types_descriptor_stat_t *ret, error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_stat(
        host_fd(d), (wasi_filesystem_types_descriptor_stat_t *)ret, (host_error_code *)err);
  stat_of(d->node, ret);
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_stat_at(
    descriptor *d, exports_wasi_filesystem_types_path_flags_t path_flags, files_string_t *path,
    exports_wasi_filesystem_types_descriptor_stat_t *ret, error_code *err) {
  bool ok;
  if (d->is_host) {
    ok = wasi_filesystem_types_method_descriptor_stat_at(
        host_fd(d), path_flags, path, (wasi_filesystem_types_descriptor_stat_t *)ret,
        (host_error_code *)err);
  } else {
    node *n = lookup(d->node, path->ptr, path->len, err);
    if ((ok = n != NULL)) stat_of(n, ret);
  }
  files_string_free(path);
  return ok;
}

bool exports_wasi_filesystem_types_method_descriptor_set_times_at(
    descriptor *d, exports_wasi_filesystem_types_path_flags_t path_flags, files_string_t *path,
    exports_wasi_filesystem_types_new_timestamp_t *access,
    exports_wasi_filesystem_types_new_timestamp_t *modification, error_code *err) {
  bool ok;
  if (d->is_host) {
    ok = wasi_filesystem_types_method_descriptor_set_times_at(
        host_fd(d), path_flags, path, (wasi_filesystem_types_new_timestamp_t *)access,
        (wasi_filesystem_types_new_timestamp_t *)modification, (host_error_code *)err);
  } else {
    node *n = lookup(d->node, path->ptr, path->len, err);
    ok = n != NULL && may_change(NULL, n, err);
  }
  files_string_free(path);
  return ok;
}

bool exports_wasi_filesystem_types_method_descriptor_link_at(
    descriptor *d, exports_wasi_filesystem_types_path_flags_t old_path_flags,
    files_string_t *old_path, descriptor *new_descriptor, files_string_t *new_path,
    error_code *err) {
  bool ok;
  if (d->is_host && new_descriptor->is_host)
    ok = wasi_filesystem_types_method_descriptor_link_at(
        host_fd(d), old_path_flags, old_path, host_fd(new_descriptor), new_path,
        (host_error_code *)err);
  else
    ok = fail(err, d->is_host != new_descriptor->is_host ? E(CROSS_DEVICE) : E(UNSUPPORTED));
  files_string_free(old_path);
  files_string_free(new_path);
  return ok;
}

bool exports_wasi_filesystem_types_method_descriptor_open_at(
    descriptor *d, exports_wasi_filesystem_types_path_flags_t path_flags, files_string_t *path,
    exports_wasi_filesystem_types_open_flags_t open_flags,
    exports_wasi_filesystem_types_descriptor_flags_t flags,
    exports_wasi_filesystem_types_own_descriptor_t *ret, error_code *err) {
  bool ok = true;
  if (d->is_host) {
    wasi_filesystem_types_own_descriptor_t host;
    ok = wasi_filesystem_types_method_descriptor_open_at(host_fd(d), path_flags, path,
                                                         open_flags, flags, &host,
                                                         (host_error_code *)err);
    if (ok) *ret = new_host(host);
    files_string_free(path);
    return ok;
  }
  bool want_create = open_flags & EXPORTS_WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE;
  bool exclusive = open_flags & EXPORTS_WASI_FILESYSTEM_TYPES_OPEN_FLAGS_EXCLUSIVE;
  bool want_directory = open_flags & EXPORTS_WASI_FILESYSTEM_TYPES_OPEN_FLAGS_DIRECTORY;
  bool truncate = open_flags & EXPORTS_WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE;
  node *dir, *n = NULL;
  const char *leaf;
  size_t leaf_len;
  ok = walk(d->node, path->ptr, path->len, &dir, &leaf, &leaf_len, err);
  if (ok) n = leaf_len ? find_child(dir, leaf, leaf_len) : dir;
  if (ok && n && want_create && exclusive) ok = fail(err, E(EXIST));
  if (ok && !n) {
    if (!want_create) {
      ok = fail(err, E(NO_ENTRY));
    } else if (want_directory) {
      ok = fail(err, E(INVALID));
    } else if (may_change(d, dir, err)) {
      n = create(dir, leaf, leaf_len, TYPE_FILE);
    } else {
      ok = false;
    }
  }
  if (ok && want_directory && n->type != TYPE_DIRECTORY) ok = fail(err, E(NOT_DIRECTORY));
  if (ok && n->type == TYPE_DIRECTORY && (flags & FLAG_WRITE)) ok = fail(err, E(IS_DIRECTORY));
  if (ok && (flags & (FLAG_WRITE | FLAG_MUTATE)) && !n->writable) ok = fail(err, E(READ_ONLY));
  if (ok && truncate) {
    if (!n->writable) {
      ok = fail(err, E(READ_ONLY));
    } else if (n->type == TYPE_FILE) {
      reserve(n, 0);
      n->len = 0;
    }
  }
  if (ok) *ret = new_virtual(n, flags);
  files_string_free(path);
  return ok;
}

bool exports_wasi_filesystem_types_method_descriptor_readlink_at(descriptor *d,
                                                                 files_string_t *path,
                                                                 files_string_t *ret,
                                                                 error_code *err) {
  bool ok;
  if (d->is_host) {
    ok = wasi_filesystem_types_method_descriptor_readlink_at(host_fd(d), path, ret,
                                                             (host_error_code *)err);
  } else {
    // Virtual trees have no symbolic links.
    ok = lookup(d->node, path->ptr, path->len, err) != NULL && fail(err, E(INVALID));
  }
  files_string_free(path);
  return ok;
}

// Removes the entry `path` names, which must be a directory (`directory`) or a file.
static bool remove_at(descriptor *d, files_string_t *path, bool directory, error_code *err) {
  node *dir, *n;
  const char *leaf;
  size_t leaf_len;
  if (!parent_for_change(d, path, &dir, &leaf, &leaf_len, err)) return false;
  if (!(n = find_child(dir, leaf, leaf_len))) return fail(err, E(NO_ENTRY));
  if (directory && n->type != TYPE_DIRECTORY) return fail(err, E(NOT_DIRECTORY));
  if (!directory && n->type == TYPE_DIRECTORY) return fail(err, E(IS_DIRECTORY));
  if (directory)
    for (node *c = n->child; c; c = c->next)
      if (!c->removed) return fail(err, E(NOT_EMPTY));
  n->removed = true;
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_remove_directory_at(descriptor *d,
                                                                         files_string_t *path,
                                                                         error_code *err) {
  bool ok = d->is_host ? wasi_filesystem_types_method_descriptor_remove_directory_at(
                             host_fd(d), path, (host_error_code *)err)
                       : remove_at(d, path, true, err);
  files_string_free(path);
  return ok;
}

bool exports_wasi_filesystem_types_method_descriptor_unlink_file_at(descriptor *d,
                                                                    files_string_t *path,
                                                                    error_code *err) {
  bool ok = d->is_host ? wasi_filesystem_types_method_descriptor_unlink_file_at(
                             host_fd(d), path, (host_error_code *)err)
                       : remove_at(d, path, false, err);
  files_string_free(path);
  return ok;
}

static bool rename_virtual(descriptor *d, files_string_t *old_path, descriptor *to,
                           files_string_t *new_path, error_code *err) {
  node *from_dir, *to_dir, *n, *existing;
  const char *from_leaf, *to_leaf;
  size_t from_len, to_len;
  if (!parent_for_change(d, old_path, &from_dir, &from_leaf, &from_len, err)) return false;
  if (!parent_for_change(to, new_path, &to_dir, &to_leaf, &to_len, err)) return false;
  if (!(n = find_child(from_dir, from_leaf, from_len))) return fail(err, E(NO_ENTRY));
  for (node *up = to_dir; up; up = up->parent)
    if (up == n) return fail(err, E(INVALID));
  if ((existing = find_child(to_dir, to_leaf, to_len)) && existing != n) {
    if (existing->type != n->type)
      return fail(err, n->type == TYPE_DIRECTORY ? E(NOT_DIRECTORY) : E(IS_DIRECTORY));
    for (node *c = existing->child; c; c = c->next)
      if (!c->removed) return fail(err, E(NOT_EMPTY));
    existing->removed = true;
  }
  // Unlink from the old directory, then add under the new name.
  node **link = &from_dir->child;
  while (*link != n) link = &(*link)->next;
  *link = n->next;
  char *copy = malloc(to_len ? to_len : 1);
  memcpy(copy, to_leaf, to_len);
  n->name = copy;
  n->name_len = to_len;
  add_child(to_dir, n);
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_rename_at(descriptor *d,
                                                               files_string_t *old_path,
                                                               descriptor *new_descriptor,
                                                               files_string_t *new_path,
                                                               error_code *err) {
  bool ok;
  if (d->is_host && new_descriptor->is_host)
    ok = wasi_filesystem_types_method_descriptor_rename_at(
        host_fd(d), old_path, host_fd(new_descriptor), new_path, (host_error_code *)err);
  else if (d->is_host || new_descriptor->is_host)
    ok = fail(err, E(CROSS_DEVICE));
  else
    ok = rename_virtual(d, old_path, new_descriptor, new_path, err);
  files_string_free(old_path);
  files_string_free(new_path);
  return ok;
}

bool exports_wasi_filesystem_types_method_descriptor_symlink_at(descriptor *d,
                                                                files_string_t *old_path,
                                                                files_string_t *new_path,
                                                                error_code *err) {
  bool ok = d->is_host ? wasi_filesystem_types_method_descriptor_symlink_at(
                             host_fd(d), old_path, new_path, (host_error_code *)err)
                       : fail(err, d->node->writable ? E(UNSUPPORTED) : E(READ_ONLY));
  files_string_free(old_path);
  files_string_free(new_path);
  return ok;
}

bool exports_wasi_filesystem_types_method_descriptor_is_same_object(descriptor *d,
                                                                    descriptor *other) {
  if (d->is_host && other->is_host)
    return wasi_filesystem_types_method_descriptor_is_same_object(host_fd(d), host_fd(other));
  return !d->is_host && !other->is_host && d->node == other->node;
}

// Virtual nodes hash to their number, with "wct-virt" as the upper half.
static void hash_of(node *n, exports_wasi_filesystem_types_metadata_hash_value_t *ret) {
  ret->lower = n->id;
  ret->upper = 0x7763742d76697274ull;
}

_Static_assert(sizeof(exports_wasi_filesystem_types_metadata_hash_value_t) ==
                   sizeof(wasi_filesystem_types_metadata_hash_value_t),
               "same layout");

bool exports_wasi_filesystem_types_method_descriptor_metadata_hash(
    descriptor *d, exports_wasi_filesystem_types_metadata_hash_value_t *ret, error_code *err) {
  if (d->is_host)
    return wasi_filesystem_types_method_descriptor_metadata_hash(
        host_fd(d), (wasi_filesystem_types_metadata_hash_value_t *)ret, (host_error_code *)err);
  hash_of(d->node, ret);
  return true;
}

bool exports_wasi_filesystem_types_method_descriptor_metadata_hash_at(
    descriptor *d, exports_wasi_filesystem_types_path_flags_t path_flags, files_string_t *path,
    exports_wasi_filesystem_types_metadata_hash_value_t *ret, error_code *err) {
  bool ok;
  if (d->is_host) {
    ok = wasi_filesystem_types_method_descriptor_metadata_hash_at(
        host_fd(d), path_flags, path, (wasi_filesystem_types_metadata_hash_value_t *)ret,
        (host_error_code *)err);
  } else {
    node *n = lookup(d->node, path->ptr, path->len, err);
    if ((ok = n != NULL)) hash_of(n, ret);
  }
  files_string_free(path);
  return ok;
}

bool exports_wasi_filesystem_types_filesystem_error_code(
    exports_wasi_filesystem_types_borrow_error_t error, error_code *ret) {
  // Only the host's streams fail with an error resource.
  return wasi_filesystem_types_filesystem_error_code(error, (host_error_code *)ret);
}

// ---- preopens ----

static wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t host_preopens;
static bool asked_host;

// The host's preopens, asked for once per call of `get-directories`.
static wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t *host_list(void) {
  if (!asked_host) {
    wasi_filesystem_preopens_get_directories(&host_preopens);
    asked_host = true;
  }
  return &host_preopens;
}

static void add_preopen(exports_wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t *ret,
                        exports_wasi_filesystem_types_own_descriptor_t fd, const char *path,
                        size_t path_len) {
  ret->ptr = realloc(ret->ptr, (ret->len + 1) * sizeof *ret->ptr);
  ret->ptr[ret->len].f0 = fd;
  files_string_dup_n(&ret->ptr[ret->len].f1, path, path_len);
  ret->len++;
}

void exports_wasi_filesystem_preopens_get_directories(
    exports_wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t *ret) {
  load();
  uint32_t count = config_u32(FILES_PREOPEN_COUNT);
  ret->ptr = NULL;
  ret->len = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t kind = PREOPEN(i, KIND);
    const char *path = (const char *)config() + PREOPEN(i, PATH_AT);
    size_t path_len = PREOPEN(i, PATH_LEN);
    if (kind == PREOPEN_TREE) {
      uint8_t flags = FLAG_READ | (PREOPEN(i, WRITABLE) ? FLAG_WRITE | FLAG_MUTATE : 0);
      add_preopen(ret, new_virtual(&nodes[PREOPEN(i, ROOT)], flags), path, path_len);
      continue;
    }
    wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t *host = host_list();
    for (size_t j = 0; j < host->len; j++) {
      files_string_t *name = &host->ptr[j].f1;
      bool wanted = kind == PREOPEN_ALL_HOST ||
                    (name->len == path_len && memcmp(name->ptr, path, path_len) == 0);
      if (!wanted || host->ptr[j].f0.__handle == 0) continue;
      add_preopen(ret, new_host(host->ptr[j].f0), (const char *)name->ptr, name->len);
      host->ptr[j].f0.__handle = 0;
    }
  }
  if (asked_host) {
    for (size_t j = 0; j < host_preopens.len; j++) {
      if (host_preopens.ptr[j].f0.__handle != 0)
        wasi_filesystem_types_descriptor_drop_own(host_preopens.ptr[j].f0);
      files_string_free(&host_preopens.ptr[j].f1);
    }
    free(host_preopens.ptr);
    asked_host = false;
  }
}
