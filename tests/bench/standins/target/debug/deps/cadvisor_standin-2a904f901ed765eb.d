/work/main/tests/bench/standins/target/debug/deps/cadvisor_standin-2a904f901ed765eb.d: src/bin/cadvisor-standin.rs Cargo.toml

/work/main/tests/bench/standins/target/debug/deps/libcadvisor_standin-2a904f901ed765eb.rmeta: src/bin/cadvisor-standin.rs Cargo.toml

src/bin/cadvisor-standin.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=
# env-dep:CLIPPY_CONF_DIR
