;; The virtual `wasi:filesystem/preopens` (WASI 0.2, and 0.3 where it is the same): no
;; preopened directory, or only the host's preopens at the guest paths the configuration
;; names (the others are dropped unseen).
;;
;; Memory: 16..32 return areas; 128.. the configuration, then the heap (reset at every call).
;; Configuration: the record `preopens` of virt/config.wit (mode 0 none, 1 the host's,
;; filtered; the guest paths kept), its fields' addresses filled in from that WIT.
(module
  (import "wasi:filesystem/preopens@{{wasi-0.2}}" "get-directories" (func $host_directories (param i32)))
  (import "wasi:filesystem/types@{{wasi-0.2}}" "[resource-drop]descriptor" (func $drop (param i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 0))

  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32) (local $need i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (local.set $need (i32.sub (global.get $heap) (i32.shl (memory.size) (i32.const 16))))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then
        (if (i32.eq
              (memory.grow (i32.shr_u (i32.add (local.get $need) (i32.const 65535)) (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (if (local.get $old)
      (then
        (memory.copy (local.get $ptr) (local.get $old)
          (select (local.get $old_size) (local.get $new_size)
            (i32.lt_u (local.get $old_size) (local.get $new_size))))))
    (local.get $ptr))

  ;; Whether the `len` bytes at `a` and `b` are equal.
  (func $same (param $a i32) (param $b i32) (param $len i32) (result i32)
    (block $differ
      (loop $next
        (if (i32.eqz (local.get $len)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Whether the string (`ptr`, `len`) is one of the paths kept.
  (func $kept (param $ptr i32) (param $len i32) (result i32)
    (local $name i32) (local $end i32)
    (local.set $name (i32.load (i32.const {{config:preopens.paths.ptr}})))
    (local.set $end (i32.add (local.get $name) (i32.shl (i32.load (i32.const {{config:preopens.paths.len}})) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $name) (local.get $end)))
        (if (i32.eq (i32.load offset=4 (local.get $name)) (local.get $len))
          (then
            (if (call $same (i32.load (local.get $name)) (local.get $ptr) (local.get $len))
              (then (return (i32.const 1))))))
        (local.set $name (i32.add (local.get $name) (i32.const 8)))
        (br $next)))
    (i32.const 0))

  ;; list<tuple<own<descriptor>, string>>: 12-byte elements (handle, name pointer, length).
  (func (export "wasi:filesystem/preopens@{{wasi-0.2}}#get-directories") (result i32)
    (local $entry i32) (local $end i32) (local $out i32) (local $count i32)
    (global.set $heap (i32.load (i32.const {{config:preopens.heap-start}})))
    (i32.store (i32.const 24) (i32.const 0))
    (i32.store (i32.const 28) (i32.const 0))
    (if (i32.eqz (i32.load (i32.const {{config:preopens.mode}})))
      (then (return (i32.const 24))))
    (call $host_directories (i32.const 16))
    (local.set $entry (i32.load (i32.const 16)))
    (local.set $end (i32.add (local.get $entry) (i32.mul (i32.load (i32.const 20)) (i32.const 12))))
    (local.set $out
      (call $cabi_realloc (i32.const 0) (i32.const 0) (i32.const 4)
        (i32.mul (i32.load (i32.const 20)) (i32.const 12))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $entry) (local.get $end)))
        (if (call $kept (i32.load offset=4 (local.get $entry)) (i32.load offset=8 (local.get $entry)))
          (then
            (memory.copy
              (i32.add (local.get $out) (i32.mul (local.get $count) (i32.const 12)))
              (local.get $entry) (i32.const 12))
            (local.set $count (i32.add (local.get $count) (i32.const 1))))
          (else (call $drop (i32.load (local.get $entry)))))
        (local.set $entry (i32.add (local.get $entry) (i32.const 12)))
        (br $next)))
    (i32.store (i32.const 24) (local.get $out))
    (i32.store (i32.const 28) (local.get $count))
    (i32.const 24))
)
