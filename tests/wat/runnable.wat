;; A reactor: `_initialize`, then an exported `wasi:cli/run@0.2.12#run` the
;; harness calls (tests embed the component metadata for it). It reports what
;; a handful of p1 calls answer, one line each: "name: errno value...".
;; With any argument besides its name it ends with proc_exit(4).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (global $initialized (mut i32) (i32.const 0))
  (data (i32.const 1000) "initialized:")
  (data (i32.const 1020) "args_sizes_get:")
  (data (i32.const 1040) "environ_sizes_get:")
  (data (i32.const 1060) "fd_prestat_get(3):")
  (data (i32.const 1080) "path_open(3, x):")
  (data (i32.const 1100) "clock_time_get:")
  (data (i32.const 1120) "random_get:")
  (data (i32.const 1140) "fd_fdstat_get(1):")
  (data (i32.const 1160) "x")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Writes " " then the decimal digits of $n.
  (func $number (param $n i32)
    (local $at i32)
    (local.set $at (i32.const 200))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (local.get $n)))
    (local.set $at (i32.sub (local.get $at) (i32.const 1)))
    (i32.store8 (local.get $at) (i32.const 32))
    (call $write (local.get $at) (i32.sub (i32.const 200) (local.get $at))))

  (func $newline
    (i32.store8 (i32.const 300) (i32.const 10))
    (call $write (i32.const 300) (i32.const 1)))

  (func (export "_initialize")
    (global.set $initialized (i32.const 1)))

  (func (export "wasi:cli/run@0.2.12#run") (result i32)
    (call $write (i32.const 1000) (i32.const 12))
    (call $number (global.get $initialized))
    (call $newline)

    (call $write (i32.const 1020) (i32.const 15))
    (call $number (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (call $number (i32.load (i32.const 16)))
    (call $number (i32.load (i32.const 20)))
    (call $newline)

    (call $write (i32.const 1040) (i32.const 18))
    (call $number (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (call $number (i32.load (i32.const 16)))
    (call $number (i32.load (i32.const 20)))
    (call $newline)

    (call $write (i32.const 1060) (i32.const 18))
    (call $number (call $fd_prestat_get (i32.const 3) (i32.const 32)))
    (call $newline)

    (call $write (i32.const 1080) (i32.const 16))
    (call $number (call $path_open (i32.const 3) (i32.const 0) (i32.const 1160) (i32.const 1)
      (i32.const 1) (i64.const 66) (i64.const 66) (i32.const 0) (i32.const 48)))
    (call $newline)

    (call $write (i32.const 1100) (i32.const 15))
    (call $number (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 64)))
    (call $newline)

    (call $write (i32.const 1120) (i32.const 11))
    (call $number (call $random_get (i32.const 80) (i32.const 16)))
    (call $newline)

    (call $write (i32.const 1140) (i32.const 17))
    (call $number (call $fd_fdstat_get (i32.const 1) (i32.const 96)))
    (call $number (i32.load8_u (i32.const 96)))
    (call $newline)

    ;; proc_exit(4) when there is an argument besides the program name.
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (if (i32.gt_u (i32.load (i32.const 16)) (i32.const 1))
      (then (call $proc_exit (i32.const 4))))
    (i32.const 0))
)
