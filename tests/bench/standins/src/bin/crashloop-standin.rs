//! TEST FIXTURE: a "cAdvisor" that crashes at once, to exercise restart-loop
//! detection. Prints a glog-style fatal line on stderr and exits with status 1
//! (or CRASHLOOP_EXIT_CODE).

use journal_bench_standins::{civil_from_days, now_secs};

fn glog_prefix(level: char) -> String {
    let now = now_secs();
    let secs = now.floor() as i64;
    let micros = ((now - now.floor()) * 1e6) as u32;
    let (_, m, d) = civil_from_days(secs.div_euclid(86400));
    let s = secs.rem_euclid(86400);
    format!(
        "{level}{m:02}{d:02} {:02}:{:02}:{:02}.{micros:06}       1",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn main() {
    let code: i32 = std::env::var("CRASHLOOP_EXIT_CODE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    eprintln!(
        "{} storagedriver.go:55] Using Memory as storage driver (crashloop test fixture)",
        glog_prefix('I')
    );
    eprintln!(
        "{} cadvisor.go:146] Failed to start container manager: fixture crash",
        glog_prefix('F')
    );
    std::process::exit(code);
}
