/work/main/tests/bench/standins/target/release/deps/journal_bench_standins-5b15e1be617674ac.d: src/lib.rs

/work/main/tests/bench/standins/target/release/deps/libjournal_bench_standins-5b15e1be617674ac.rlib: src/lib.rs

/work/main/tests/bench/standins/target/release/deps/libjournal_bench_standins-5b15e1be617674ac.rmeta: src/lib.rs

src/lib.rs:
