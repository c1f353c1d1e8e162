/work/main/tests/bench/standins/target/release/deps/cadvisor_standin-fe46d9843e666306.d: src/bin/cadvisor-standin.rs

/work/main/tests/bench/standins/target/release/deps/cadvisor_standin-fe46d9843e666306: src/bin/cadvisor-standin.rs

src/bin/cadvisor-standin.rs:
