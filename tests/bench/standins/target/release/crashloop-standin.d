/work/main/tests/bench/standins/target/release/crashloop-standin: /work/main/tests/bench/standins/src/bin/crashloop-standin.rs /work/main/tests/bench/standins/src/lib.rs
