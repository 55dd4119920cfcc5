;; The virtual `wasi:cli/environment` (WASI 0.2): environment variables, arguments and the
;; initial working directory baked into the configuration, plus the variables and arguments
;; the configuration passes through from the host's own `wasi:cli/environment`.
;;
;; Memory: 16..64 return areas; 128.. the configuration `wct virt` writes (see
;; crates/wct-virt/src/config.rs), then the heap, reset at the start of every call (what a
;; call returns is copied out by the caller before the next call).
;; Configuration: the record `environment` of virt/config.wit (baked variables, names passed
;; through, arguments baked or the host's, working directory none, baked or the host's), its
;; fields' addresses filled in from that WIT.
(module
  (import "wasi:cli/environment@{{wasi-0.2}}" "get-environment" (func $host_environment (param i32)))
  (import "wasi:cli/environment@{{wasi-0.2}}" "get-arguments" (func $host_arguments (param i32)))
  (import "wasi:cli/environment@{{wasi-0.2}}" "initial-cwd" (func $host_cwd (param i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 0))

  (func $reset (global.set $heap (i32.load (i32.const {{config:environment.heap-start}}))))

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

  ;; Whether the string (`ptr`, `len`) is one of the names passed through.
  (func $passed (param $ptr i32) (param $len i32) (result i32)
    (local $name i32) (local $end i32)
    (local.set $name (i32.load (i32.const {{config:environment.pass.ptr}})))
    (local.set $end (i32.add (local.get $name) (i32.shl (i32.load (i32.const {{config:environment.pass.len}})) (i32.const 3))))
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

  (func (export "wasi:cli/environment@{{wasi-0.2}}#get-environment") (result i32)
    (local $baked i32) (local $host i32) (local $host_end i32) (local $out i32) (local $count i32)
    (call $reset)
    (if (i32.eqz (i32.load (i32.const {{config:environment.pass.len}})))
      (then (return (i32.const {{config:environment.env}}))))
    (call $host_environment (i32.const 16))
    (local.set $baked (i32.load (i32.const {{config:environment.env.len}})))
    (local.set $out
      (call $cabi_realloc (i32.const 0) (i32.const 0) (i32.const 4)
        (i32.shl (i32.add (local.get $baked) (i32.load (i32.const 20))) (i32.const 4))))
    (memory.copy (local.get $out) (i32.load (i32.const {{config:environment.env.ptr}})) (i32.shl (local.get $baked) (i32.const 4)))
    (local.set $count (local.get $baked))
    (local.set $host (i32.load (i32.const 16)))
    (local.set $host_end (i32.add (local.get $host) (i32.shl (i32.load (i32.const 20)) (i32.const 4))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $host) (local.get $host_end)))
        (if (call $passed (i32.load (local.get $host)) (i32.load offset=4 (local.get $host)))
          (then
            (memory.copy
              (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 4)))
              (local.get $host) (i32.const 16))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $host (i32.add (local.get $host) (i32.const 16)))
        (br $next)))
    (i32.store (i32.const 24) (local.get $out))
    (i32.store (i32.const 28) (local.get $count))
    (i32.const 24))

  (func (export "wasi:cli/environment@{{wasi-0.2}}#get-arguments") (result i32)
    (call $reset)
    (if (i32.eqz (i32.load (i32.const {{config:environment.args-from-host}})))
      (then (return (i32.const {{config:environment.args}}))))
    (call $host_arguments (i32.const 32))
    (i32.const 32))

  (func (export "wasi:cli/environment@{{wasi-0.2}}#initial-cwd") (result i32)
    (call $reset)
    (if (i32.ne (i32.load (i32.const {{config:environment.cwd-mode}})) (i32.const 2))
      (then (return (i32.const {{config:environment.cwd-mode}}))))
    (call $host_cwd (i32.const 40))
    (i32.const 40))
)
