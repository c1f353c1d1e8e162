/work/main/tests/bench/standins/target/release/cadvisor-standin: /work/main/tests/bench/standins/src/bin/cadvisor-standin.rs /work/main/tests/bench/standins/src/lib.rs
