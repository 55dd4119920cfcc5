;; The virtual `wasi:config/store` (0.2.0-rc.1): configuration variables baked into the
;; configuration, nothing from the host. `get` finds a key among them; `get-all` returns the
;; baked list as it is.
;;
;; Memory: 16..32 `get`'s return area; 128.. the configuration `wct virt` writes (see
;; crates/wct-virt/src/config.rs), then the heap, which holds only the key `get` is called
;; with and is reset when the call ends.
;; Configuration: the record `config-store` of virt/config.wit: `answer` (0) and the baked
;; variables (canonical layout, absolute pointers) are together `get-all`'s answer,
;; `ok(list)`; the fields' addresses are filled in from that WIT.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 0))

  (func $reset (global.set $heap (i32.load (i32.const {{config:config-store.heap-start}}))))

  (func $cabi_realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
    (local $ptr i32) (local $need i32)
    (if (i32.eqz (global.get $heap)) (then (call $reset)))
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

  ;; result<option<string>, error> at 16: +0 ok (0), +4 none (0) or some (1), +8/+12 the value.
  (func (export "wasi:config/store@0.2.0-rc.1#get") (param $key i32) (param $len i32) (result i32)
    (local $pair i32) (local $end i32)
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (i32.const 0))
    (local.set $pair (i32.load (i32.const {{config:config-store.variables.ptr}})))
    (local.set $end (i32.add (local.get $pair) (i32.shl (i32.load (i32.const {{config:config-store.variables.len}})) (i32.const 4))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pair) (local.get $end)))
        (if (i32.eq (i32.load offset=4 (local.get $pair)) (local.get $len))
          (then
            (if (call $same (i32.load (local.get $pair)) (local.get $key) (local.get $len))
              (then
                (i32.store (i32.const 20) (i32.const 1))
                (i32.store (i32.const 24) (i32.load offset=8 (local.get $pair)))
                (i32.store (i32.const 28) (i32.load offset=12 (local.get $pair)))
                (br $done)))))
        (local.set $pair (i32.add (local.get $pair) (i32.const 16)))
        (br $next)))
    (call $reset)
    (i32.const 16))

  (func (export "wasi:config/store@0.2.0-rc.1#get-all") (result i32)
    (call $reset)
    (i32.const {{config:config-store.answer}}))
)
