//! One bounded wait: ask again and again until the answer is the wanted
//! one, at most a given time, and keep the last answer seen so that the
//! error on timeout can say what the state was. Every wait of the steps
//! (Prometheus ready, its targets up, the alerting chain, a service's tasks,
//! Grafana's health…) is this loop with its own probe.
//!
//! The probe decides what an error means: an error it returns stops the
//! wait at once; an error it wraps in [`Poll::Pending`] is one more state to
//! wait through (a server still starting).

use std::time::{Duration, Instant};

/// What one look at the world found.
#[derive(Debug)]
pub enum Poll<T, S> {
    /// The wanted state, with what the caller keeps of it.
    Ready(T),
    /// Not yet; what was seen (kept for the timeout's error).
    Pending(S),
}

/// A wait that ended with the wanted state.
#[derive(Debug)]
pub struct Waited<T> {
    /// What the last probe returned.
    pub value: T,
    /// How many probes were made.
    pub polls: u32,
    /// Time from the first probe to the end.
    pub waited: Duration,
}

/// Why a wait ended without the wanted state.
#[derive(Debug)]
pub enum Stopped<S, E> {
    /// The time was up; the last state seen.
    TimedOut {
        /// The last state seen.
        last: S,
        /// How many probes were made.
        polls: u32,
    },
    /// The probe failed in a way that waiting cannot mend.
    Failed(E),
}

/// Calls `probe` until it answers [`Poll::Ready`], sleeping `poll` between
/// two calls; after the first pending answer seen once `timeout` has passed,
/// stops with that answer. The probe runs at least once.
pub fn wait_until<T, S, E>(
    timeout: Duration,
    poll: Duration,
    mut probe: impl FnMut() -> Result<Poll<T, S>, E>,
) -> Result<Waited<T>, Stopped<S, E>> {
    let start = Instant::now();
    let mut polls = 0;
    loop {
        polls += 1;
        match probe() {
            Ok(Poll::Ready(value)) => {
                return Ok(Waited {
                    value,
                    polls,
                    waited: start.elapsed(),
                });
            }
            Ok(Poll::Pending(last)) => {
                if start.elapsed() >= timeout {
                    return Err(Stopped::TimedOut { last, polls });
                }
            }
            Err(e) => return Err(Stopped::Failed(e)),
        }
        std::thread::sleep(poll);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_ready_value_and_counts_the_polls() {
        let mut n = 0;
        let w = wait_until(Duration::from_secs(5), Duration::ZERO, || {
            n += 1;
            Ok::<_, ()>(if n == 3 {
                Poll::Ready(n)
            } else {
                Poll::Pending(n)
            })
        })
        .unwrap();
        assert_eq!((w.value, w.polls), (3, 3));
    }

    #[test]
    fn on_timeout_keeps_the_last_state_seen() {
        let mut n = 0;
        let e = wait_until(Duration::from_millis(20), Duration::from_millis(5), || {
            n += 1;
            Ok::<Poll<(), i32>, ()>(Poll::Pending(n))
        })
        .unwrap_err();
        match e {
            Stopped::TimedOut { last, polls } => {
                assert_eq!(last, n);
                assert_eq!(polls as i32, n);
                assert!(polls >= 2);
            }
            Stopped::Failed(()) => panic!("should time out"),
        }
    }

    #[test]
    fn a_failure_stops_at_once() {
        let mut n = 0;
        let e = wait_until(Duration::from_secs(5), Duration::ZERO, || {
            n += 1;
            Err::<Poll<(), ()>, _>("non")
        })
        .unwrap_err();
        assert!(matches!(e, Stopped::Failed("non")));
        assert_eq!(n, 1);
    }
}
