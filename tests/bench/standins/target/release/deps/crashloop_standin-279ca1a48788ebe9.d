/work/main/tests/bench/standins/target/release/deps/crashloop_standin-279ca1a48788ebe9.d: src/bin/crashloop-standin.rs

/work/main/tests/bench/standins/target/release/deps/crashloop_standin-279ca1a48788ebe9: src/bin/crashloop-standin.rs

src/bin/crashloop-standin.rs:
