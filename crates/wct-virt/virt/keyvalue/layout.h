// The layout of the records keyvalue, keyvalue-bucket, keyvalue-entry of virt/config.wit, offsets in bytes.
// Made by wct-virt's test config_layout::tests::the_c_layout_headers_are_made_from_config_wit; `cargo xtask fixtures virt` rewrites it.
#pragma once

#define KEYVALUE_SIZE 24
#define KEYVALUE_TOTAL_SIZE 0
#define KEYVALUE_GRANTED 4
#define KEYVALUE_BUCKET_COUNT 8
#define KEYVALUE_BUCKETS_AT 12
#define KEYVALUE_ENTRY_COUNT 16
#define KEYVALUE_ENTRIES_AT 20

#define KEYVALUE_BUCKET_SIZE 8
#define KEYVALUE_BUCKET_NAME_AT 0
#define KEYVALUE_BUCKET_NAME_LEN 4

#define KEYVALUE_ENTRY_SIZE 20
#define KEYVALUE_ENTRY_BUCKET 0
#define KEYVALUE_ENTRY_KEY_AT 4
#define KEYVALUE_ENTRY_KEY_LEN 8
#define KEYVALUE_ENTRY_VALUE_AT 12
#define KEYVALUE_ENTRY_VALUE_LEN 16
