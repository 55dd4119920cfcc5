;; The virtual `wasi:random` interfaces (WASI 0.2): `random`, `insecure` and `insecure-seed`
;; from one seeded generator (SplitMix64: the same bytes on every run), or denied (each call
;; traps in a function named after it).
;; Configuration: the record `random` of virt/config.wit (mode 1 seeded, 2 denied; the seed),
;; its fields' addresses filled in from that WIT.
(module
  (memory (export "memory") 1)
  (global $state (mut i64) (i64.const 0))
  (global $seeded (mut i32) (i32.const 0))
  (func $denied:wasi:random unreachable)

  (func $next (result i64)
    (local $z i64)
    (if (i32.eq (i32.load (i32.const {{config:random.mode}})) (i32.const 2)) (then (call $denied:wasi:random)))
    (if (i32.eqz (global.get $seeded))
      (then
        (global.set $state (i64.load (i32.const {{config:random.seed}})))
        (global.set $seeded (i32.const 1))))
    (global.set $state (i64.add (global.get $state) (i64.const 0x9e3779b97f4a7c15)))
    (local.set $z (global.get $state))
    (local.set $z (i64.mul (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 30)))
      (i64.const 0xbf58476d1ce4e5b9)))
    (local.set $z (i64.mul (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 27)))
      (i64.const 0x94d049bb133111eb)))
    (i64.xor (local.get $z) (i64.shr_u (local.get $z) (i64.const 31))))

  ;; Fills a fresh buffer of `len` bytes at the heap start; returns the return area.
  (func $bytes (param $len i64) (result i32)
    (local $ptr i32) (local $end i32) (local $need i32) (local $word i64)
    (if (i64.gt_u (local.get $len) (i64.const 0x40000000)) (then unreachable))
    (local.set $ptr (i32.and (i32.add (i32.load (i32.const {{config:random.heap-start}})) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $ptr) (i32.wrap_i64 (local.get $len))))
    (local.set $need (i32.sub (i32.add (local.get $end) (i32.const 8)) (i32.shl (memory.size) (i32.const 16))))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then
        (if (i32.eq
              (memory.grow (i32.shr_u (i32.add (local.get $need) (i32.const 65535)) (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (i32.wrap_i64 (local.get $len)))
    (block $done
      (loop $fill
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (i64.store (local.get $ptr) (call $next))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 8)))
        (br $fill)))
    (i32.const 16))

  (func (export "wasi:random/random@{{wasi-0.2}}#get-random-bytes") (param i64) (result i32)
    (call $bytes (local.get 0)))
  (func (export "wasi:random/random@{{wasi-0.2}}#get-random-u64") (result i64)
    (call $next))
  (func (export "wasi:random/insecure@{{wasi-0.2}}#get-insecure-random-bytes") (param i64) (result i32)
    (call $bytes (local.get 0)))
  (func (export "wasi:random/insecure@{{wasi-0.2}}#get-insecure-random-u64") (result i64)
    (call $next))
  (func (export "wasi:random/insecure-seed@{{wasi-0.2}}#insecure-seed") (result i32)
    (i64.store (i32.const 32) (call $next))
    (i64.store (i32.const 40) (call $next))
    (i32.const 32))
)
