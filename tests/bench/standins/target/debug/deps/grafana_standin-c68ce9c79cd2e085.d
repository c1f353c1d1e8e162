/work/main/tests/bench/standins/target/debug/deps/grafana_standin-c68ce9c79cd2e085.d: src/bin/grafana-standin.rs Cargo.toml

/work/main/tests/bench/standins/target/debug/deps/libgrafana_standin-c68ce9c79cd2e085.rmeta: src/bin/grafana-standin.rs Cargo.toml

src/bin/grafana-standin.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=
# env-dep:CLIPPY_CONF_DIR
