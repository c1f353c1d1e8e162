/work/main/tests/bench/standins/target/debug/deps/journal_bench_standins-90eea51675040ddb.d: src/lib.rs Cargo.toml

/work/main/tests/bench/standins/target/debug/deps/libjournal_bench_standins-90eea51675040ddb.rmeta: src/lib.rs Cargo.toml

src/lib.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=
# env-dep:CLIPPY_CONF_DIR
