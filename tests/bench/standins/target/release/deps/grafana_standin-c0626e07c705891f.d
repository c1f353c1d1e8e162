/work/main/tests/bench/standins/target/release/deps/grafana_standin-c0626e07c705891f.d: src/bin/grafana-standin.rs

/work/main/tests/bench/standins/target/release/deps/grafana_standin-c0626e07c705891f: src/bin/grafana-standin.rs

src/bin/grafana-standin.rs:
