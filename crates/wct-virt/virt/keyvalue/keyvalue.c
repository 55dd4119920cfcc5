// The virtual `wasi:keyvalue` (0.2.0-draft) of `wct virt --keyvalue memory`: a store in the
// component's own memory, so a sealed component needs no host store. It lives as long as
// the component instance (one run); the buckets the grant names open, seeded with the
// data baked in; everything else is refused with the interface's own errors, as `wct run`
// refuses it: nothing granted is `access-denied` for every bucket, a bucket not named is
// `no-such-store`.
//
// Each bucket keeps its entries sorted by key (binary search), so `list-keys` answers in
// key order, as `wct run`'s stores do. Counters are decimal text, as `wct run`'s are.
//
// The configuration is data at `__heap_base` (written by `wct virt`, layout below).

#include "keyvalue.h"
#include "layout.h"
#define CONFIG_TOTAL_SIZE KEYVALUE_TOTAL_SIZE
#include "heap.h"

// ---- configuration (all offsets relative to its start, little-endian u32) ----
//  0 total size   4 granted (0: nothing, every open is access-denied; 1: the buckets below)
//  8 bucket count   12 buckets at   16 entry count   20 entries at
// bucket (8 bytes): name at, name length
// entry (20 bytes): bucket index, key at, key length, value at, value length

typedef exports_wasi_keyvalue_store_error_t kv_error;

void __component_type_object_force_link_keyvalue(void) {}

typedef struct {
  uint8_t *key;
  size_t key_len;
  uint8_t *value;
  size_t value_len;
} entry;

typedef struct {
  const uint8_t *name;
  size_t name_len;
  entry *entries;
  size_t count;
  size_t cap;
} bucket;

struct exports_wasi_keyvalue_store_bucket_t {
  uint32_t index;
};

static bucket *buckets;
static uint32_t bucket_count;
static bool loaded;

static int compare(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len) {
  size_t n = a_len < b_len ? a_len : b_len;
  int c = n ? memcmp(a, b, n) : 0;
  return c != 0 ? c : (a_len > b_len) - (a_len < b_len);
}

// The index of `key` in `b`, or where it would go; `found` says which.
static size_t find(const bucket *b, const uint8_t *key, size_t len, bool *found) {
  size_t low = 0, high = b->count;
  while (low < high) {
    size_t mid = low + (high - low) / 2;
    int c = compare(b->entries[mid].key, b->entries[mid].key_len, key, len);
    if (c == 0) {
      *found = true;
      return mid;
    }
    if (c < 0) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  *found = false;
  return low;
}

// Frees what the canonical ABI or `copy` allocated: an empty string or list has no block
// (its pointer is only aligned), as the bindings' own *_free functions assume.
static void release(void *ptr, size_t len) {
  if (len) free(ptr);
}

static uint8_t *copy(const uint8_t *from, size_t len) {
  if (!len) return NULL;
  uint8_t *to = malloc(len);
  memcpy(to, from, len);
  return to;
}

// Sets `key` (owned, freed if the key is there already) to `value` (owned).
static void put(bucket *b, uint8_t *key, size_t key_len, uint8_t *value, size_t value_len) {
  bool found;
  size_t at = find(b, key, key_len, &found);
  if (found) {
    release(key, key_len);
    release(b->entries[at].value, b->entries[at].value_len);
    b->entries[at].value = value;
    b->entries[at].value_len = value_len;
    return;
  }
  if (b->count == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 8;
    b->entries = realloc(b->entries, b->cap * sizeof *b->entries);
  }
  memmove(&b->entries[at + 1], &b->entries[at], (b->count - at) * sizeof *b->entries);
  b->entries[at] = (entry){key, key_len, value, value_len};
  b->count++;
}

static void remove_key(bucket *b, const uint8_t *key, size_t key_len) {
  bool found;
  size_t at = find(b, key, key_len, &found);
  if (!found) return;
  release(b->entries[at].key, b->entries[at].key_len);
  release(b->entries[at].value, b->entries[at].value_len);
  memmove(&b->entries[at], &b->entries[at + 1], (b->count - at - 1) * sizeof *b->entries);
  b->count--;
}

// The buckets and their seed data, read from the configuration at the first call.
static void load(void) {
  if (loaded) return;
  loaded = true;
  bucket_count = config_u32(KEYVALUE_BUCKET_COUNT);
  buckets = calloc(bucket_count ? bucket_count : 1, sizeof *buckets);
  for (uint32_t i = 0; i < bucket_count; i++) {
    uint32_t at = config_u32(KEYVALUE_BUCKETS_AT) + i * KEYVALUE_BUCKET_SIZE;
    buckets[i].name = config() + config_u32(at + KEYVALUE_BUCKET_NAME_AT);
    buckets[i].name_len = config_u32(at + KEYVALUE_BUCKET_NAME_LEN);
  }
  for (uint32_t i = 0; i < config_u32(KEYVALUE_ENTRY_COUNT); i++) {
    uint32_t at = config_u32(KEYVALUE_ENTRIES_AT) + i * KEYVALUE_ENTRY_SIZE;
    uint32_t index = config_u32(at + KEYVALUE_ENTRY_BUCKET);
    if (index >= bucket_count) continue;
    uint32_t key_len = config_u32(at + KEYVALUE_ENTRY_KEY_LEN);
    uint32_t value_len = config_u32(at + KEYVALUE_ENTRY_VALUE_LEN);
    put(&buckets[index], copy(config() + config_u32(at + KEYVALUE_ENTRY_KEY_AT), key_len), key_len,
        copy(config() + config_u32(at + KEYVALUE_ENTRY_VALUE_AT), value_len), value_len);
  }
}

static bool fail_other(kv_error *err, const char *message) {
  err->tag = EXPORTS_WASI_KEYVALUE_STORE_ERROR_OTHER;
  keyvalue_string_dup(&err->val.other, message);
  return false;
}

// ---- wasi:keyvalue/store ----

bool exports_wasi_keyvalue_store_open(keyvalue_string_t *identifier,
                                      exports_wasi_keyvalue_store_own_bucket_t *ret,
                                      kv_error *err) {
  load();
  int32_t index = -1;
  for (uint32_t i = 0; i < bucket_count && config_u32(KEYVALUE_GRANTED); i++) {
    if (compare(buckets[i].name, buckets[i].name_len, identifier->ptr, identifier->len) == 0) {
      index = (int32_t)i;
    }
  }
  keyvalue_string_free(identifier);
  if (!config_u32(KEYVALUE_GRANTED)) {
    err->tag = EXPORTS_WASI_KEYVALUE_STORE_ERROR_ACCESS_DENIED;
    return false;
  }
  if (index < 0) {
    err->tag = EXPORTS_WASI_KEYVALUE_STORE_ERROR_NO_SUCH_STORE;
    return false;
  }
  exports_wasi_keyvalue_store_bucket_t *rep = malloc(sizeof *rep);
  rep->index = (uint32_t)index;
  *ret = exports_wasi_keyvalue_store_bucket_new(rep);
  return true;
}

void exports_wasi_keyvalue_store_bucket_destructor(exports_wasi_keyvalue_store_bucket_t *rep) {
  free(rep);
}

bool exports_wasi_keyvalue_store_method_bucket_get(exports_wasi_keyvalue_store_borrow_bucket_t self,
                                                   keyvalue_string_t *key,
                                                   keyvalue_option_list_u8_t *ret,
                                                   kv_error *err) {
  (void)err;
  bucket *b = &buckets[self->index];
  bool found;
  size_t at = find(b, key->ptr, key->len, &found);
  keyvalue_string_free(key);
  ret->is_some = found;
  if (found) {
    ret->val.ptr = copy(b->entries[at].value, b->entries[at].value_len);
    ret->val.len = b->entries[at].value_len;
  }
  return true;
}

bool exports_wasi_keyvalue_store_method_bucket_set(exports_wasi_keyvalue_store_borrow_bucket_t self,
                                                   keyvalue_string_t *key,
                                                   keyvalue_list_u8_t *value, kv_error *err) {
  (void)err;
  put(&buckets[self->index], key->ptr, key->len, value->ptr, value->len);
  return true;
}

bool exports_wasi_keyvalue_store_method_bucket_delete(
    exports_wasi_keyvalue_store_borrow_bucket_t self, keyvalue_string_t *key, kv_error *err) {
  (void)err;
  remove_key(&buckets[self->index], key->ptr, key->len);
  keyvalue_string_free(key);
  return true;
}

bool exports_wasi_keyvalue_store_method_bucket_exists(
    exports_wasi_keyvalue_store_borrow_bucket_t self, keyvalue_string_t *key, bool *ret,
    kv_error *err) {
  (void)err;
  find(&buckets[self->index], key->ptr, key->len, ret);
  keyvalue_string_free(key);
  return true;
}

// Every key from the cursor (an index into the sorted keys) on, in one page.
bool exports_wasi_keyvalue_store_method_bucket_list_keys(
    exports_wasi_keyvalue_store_borrow_bucket_t self, uint64_t *maybe_cursor,
    exports_wasi_keyvalue_store_key_response_t *ret, kv_error *err) {
  (void)err;
  const bucket *b = &buckets[self->index];
  size_t from = maybe_cursor && *maybe_cursor < b->count ? (size_t)*maybe_cursor : 0;
  if (maybe_cursor && *maybe_cursor >= b->count) from = b->count;
  size_t n = b->count - from;
  ret->keys.ptr = malloc((n ? n : 1) * sizeof *ret->keys.ptr);
  ret->keys.len = n;
  for (size_t i = 0; i < n; i++) {
    const entry *e = &b->entries[from + i];
    ret->keys.ptr[i] = (keyvalue_string_t){copy(e->key, e->key_len), e->key_len};
  }
  ret->cursor.is_some = false;
  return true;
}

// ---- wasi:keyvalue/atomics ----

bool exports_wasi_keyvalue_atomics_increment(exports_wasi_keyvalue_atomics_borrow_bucket_t self,
                                             keyvalue_string_t *key, uint64_t delta,
                                             uint64_t *ret, kv_error *err) {
  bucket *b = &buckets[self->index];
  bool found;
  size_t at = find(b, key->ptr, key->len, &found);
  uint64_t current = 0;
  if (found) {
    const entry *e = &b->entries[at];
    if (e->value_len == 0 || e->value_len > 20) {
      keyvalue_string_free(key);
      return fail_other(err, "the value is not a counter (decimal text)");
    }
    for (size_t i = 0; i < e->value_len; i++) {
      uint8_t digit = e->value[i];
      if (digit < '0' || digit > '9' || current > (UINT64_MAX - (digit - '0')) / 10) {
        keyvalue_string_free(key);
        return fail_other(err, "the value is not a counter (decimal text)");
      }
      current = current * 10 + (digit - '0');
    }
  }
  if (current > UINT64_MAX - delta) {
    keyvalue_string_free(key);
    return fail_other(err, "overflow incrementing value");
  }
  uint64_t sum = current + delta;
  char text[21];
  size_t len = 0;
  uint64_t rest = sum;
  do {
    text[len++] = (char)('0' + rest % 10);
    rest /= 10;
  } while (rest);
  uint8_t *value = malloc(len);  // len >= 1
  for (size_t i = 0; i < len; i++) value[i] = (uint8_t)text[len - 1 - i];
  put(b, key->ptr, key->len, value, len);
  *ret = sum;
  return true;
}

// ---- wasi:keyvalue/batch ----

bool exports_wasi_keyvalue_batch_get_many(exports_wasi_keyvalue_batch_borrow_bucket_t self,
                                          keyvalue_list_string_t *keys,
                                          keyvalue_list_option_tuple2_string_list_u8_t *ret,
                                          kv_error *err) {
  (void)err;
  const bucket *b = &buckets[self->index];
  ret->len = keys->len;
  ret->ptr = malloc((keys->len ? keys->len : 1) * sizeof *ret->ptr);
  for (size_t i = 0; i < keys->len; i++) {
    bool found;
    size_t at = find(b, keys->ptr[i].ptr, keys->ptr[i].len, &found);
    ret->ptr[i].is_some = found;
    if (found) {
      const entry *e = &b->entries[at];
      ret->ptr[i].val.f0 = (keyvalue_string_t){copy(e->key, e->key_len), e->key_len};
      ret->ptr[i].val.f1 = (keyvalue_list_u8_t){copy(e->value, e->value_len), e->value_len};
    }
  }
  keyvalue_list_string_free(keys);
  return true;
}

bool exports_wasi_keyvalue_batch_set_many(exports_wasi_keyvalue_batch_borrow_bucket_t self,
                                          keyvalue_list_tuple2_string_list_u8_t *key_values,
                                          kv_error *err) {
  (void)err;
  bucket *b = &buckets[self->index];
  for (size_t i = 0; i < key_values->len; i++) {
    keyvalue_tuple2_string_list_u8_t *pair = &key_values->ptr[i];
    put(b, pair->f0.ptr, pair->f0.len, pair->f1.ptr, pair->f1.len);
  }
  release(key_values->ptr, key_values->len);
  return true;
}

bool exports_wasi_keyvalue_batch_delete_many(exports_wasi_keyvalue_batch_borrow_bucket_t self,
                                             keyvalue_list_string_t *keys, kv_error *err) {
  (void)err;
  for (size_t i = 0; i < keys->len; i++) {
    remove_key(&buckets[self->index], keys->ptr[i].ptr, keys->ptr[i].len);
  }
  keyvalue_list_string_free(keys);
  return true;
}
