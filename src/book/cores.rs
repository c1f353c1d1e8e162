//! Work spread over the machine's cores (at most four): the items are
//! handed out one at a time to whichever thread is free (they may differ
//! in size by ten times or more), the results come back in the items'
//! order. It knows nothing of books.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `work` on each of `items`, on every core; `Err` with the payload of a
/// panic of one of them.
pub fn on_cores<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
) -> std::thread::Result<Vec<R>> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4)
        .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| -> std::thread::Result<_> {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, work(item)));
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for h in handles {
            all.extend(h.join()?);
        }
        Ok(all)
    })?;
    done.sort_unstable_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_items_order_and_a_panic_is_returned() {
        let items: Vec<u64> = (0..100).collect();
        let squares = on_cores(&items, |n| n * n).unwrap();
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
        assert!(on_cores(&[1, 2, 3], |n| assert_ne!(*n, 2)).is_err());
        assert!(on_cores(&[] as &[u8], |_| ()).unwrap().is_empty());
    }
}
