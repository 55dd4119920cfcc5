// The layout of the records files, files-preopen, files-node of virt/config.wit, offsets in bytes.
// Made by wct-virt's test config_layout::tests::the_c_layout_headers_are_made_from_config_wit; `cargo xtask fixtures virt` rewrites it.
#pragma once

#define FILES_SIZE 32
#define FILES_TOTAL_SIZE 0
#define FILES_STDIN 4
#define FILES_STDOUT 8
#define FILES_STDERR 12
#define FILES_PREOPEN_COUNT 16
#define FILES_NODE_COUNT 20
#define FILES_PREOPENS_AT 24
#define FILES_NODES_AT 28

#define FILES_PREOPEN_SIZE 20
#define FILES_PREOPEN_KIND 0
#define FILES_PREOPEN_PATH_AT 4
#define FILES_PREOPEN_PATH_LEN 8
#define FILES_PREOPEN_ROOT 12
#define FILES_PREOPEN_WRITABLE 16

#define FILES_NODE_SIZE 24
#define FILES_NODE_KIND 0
#define FILES_NODE_NAME_AT 4
#define FILES_NODE_NAME_LEN 8
#define FILES_NODE_DATA_AT 12
#define FILES_NODE_DATA_LEN 16
#define FILES_NODE_PARENT 20
