;; Bulk marking over a table in this module's memory: the loops of encryptAll, decryptAll and
;; count as WebAssembly SIMD, 128 bits (two 64-bit entries) per instruction, four at a time, then
;; one entry at a time for the tail. Every function takes a byte range [p, end) of whole entries.
;; tools/scripts/wasm.mjs assembles this file into ../src/marking-simd-module.ts.
(module
  (import "coco" "memory" (memory 1))

  ;; entry |= mask
  (func (export "or") (param $p i32) (param $end i32) (param $mask i64)
    (local $v v128)
    (local.set $v (i64x2.splat (local.get $mask)))
        (block $wide
      (loop $next
        (br_if $wide (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 64)))
        (v128.store offset=0 (local.get $p) (v128.or (v128.load offset=0 (local.get $p)) (local.get $v)))
        (v128.store offset=16 (local.get $p) (v128.or (v128.load offset=16 (local.get $p)) (local.get $v)))
        (v128.store offset=32 (local.get $p) (v128.or (v128.load offset=32 (local.get $p)) (local.get $v)))
        (v128.store offset=48 (local.get $p) (v128.or (v128.load offset=48 (local.get $p)) (local.get $v)))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $next)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (i64.store (local.get $p) (i64.or (i64.load (local.get $p)) (local.get $mask)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $tail))))

  ;; entry &= keep
  (func (export "and") (param $p i32) (param $end i32) (param $keep i64)
    (local $v v128)
    (local.set $v (i64x2.splat (local.get $keep)))
        (block $wide
      (loop $next
        (br_if $wide (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 64)))
        (v128.store offset=0 (local.get $p) (v128.and (v128.load offset=0 (local.get $p)) (local.get $v)))
        (v128.store offset=16 (local.get $p) (v128.and (v128.load offset=16 (local.get $p)) (local.get $v)))
        (v128.store offset=32 (local.get $p) (v128.and (v128.load offset=32 (local.get $p)) (local.get $v)))
        (v128.store offset=48 (local.get $p) (v128.and (v128.load offset=48 (local.get $p)) (local.get $v)))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $next)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (i64.store (local.get $p) (i64.and (i64.load (local.get $p)) (local.get $keep)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $tail))))

  ;; the number of entries with bit `bit` set
  (func (export "count") (param $p i32) (param $end i32) (param $bit i32) (result i32)
    (local $mask i64) (local $v v128) (local $sum v128) (local $n i64)
    (local.set $mask (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $bit))))
    (local.set $v (i64x2.splat (local.get $mask)))
        (block $wide
      (loop $next
        (br_if $wide (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 32)))
        (local.set $sum (i64x2.add (local.get $sum)
          (i64x2.shr_u (v128.and (v128.load offset=0 (local.get $p)) (local.get $v)) (local.get $bit))))
        (local.set $sum (i64x2.add (local.get $sum)
          (i64x2.shr_u (v128.and (v128.load offset=16 (local.get $p)) (local.get $v)) (local.get $bit))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $next)))
    (local.set $n (i64.add (i64x2.extract_lane 0 (local.get $sum)) (i64x2.extract_lane 1 (local.get $sum))))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $n (i64.add (local.get $n)
          (i64.shr_u (i64.and (i64.load (local.get $p)) (local.get $mask)) (i64.extend_i32_u (local.get $bit)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $tail)))
    (i32.wrap_i64 (local.get $n))))
