/work/main/tests/bench/standins/target/release/libjournal_bench_standins.rlib: /work/main/tests/bench/standins/src/lib.rs
