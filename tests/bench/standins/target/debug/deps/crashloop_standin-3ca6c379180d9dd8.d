/work/main/tests/bench/standins/target/debug/deps/crashloop_standin-3ca6c379180d9dd8.d: src/bin/crashloop-standin.rs Cargo.toml

/work/main/tests/bench/standins/target/debug/deps/libcrashloop_standin-3ca6c379180d9dd8.rmeta: src/bin/crashloop-standin.rs Cargo.toml

src/bin/crashloop-standin.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=
# env-dep:CLIPPY_CONF_DIR
