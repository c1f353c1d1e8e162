/work/main/tests/bench/standins/target/release/grafana-standin: /work/main/tests/bench/standins/src/bin/grafana-standin.rs /work/main/tests/bench/standins/src/lib.rs
