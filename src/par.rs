//! Data parallelism for the CPU-bound steps of processing (scoring,
//! cluster signatures): a pure function over a batch, split across the
//! machine's cores. The threads live as long as the process (one rayon
//! pool): the analysis memos are per thread, and threads started per batch
//! began every batch with cold memos.

use rayon::prelude::*;

/// Threads used for a batch: `RADAR_THREADS` when set to a number from 1
/// to 64 (e.g. 1 on a machine shared with other work, or to measure per
/// core), else the cores available, at most four.
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        match std::env::var("RADAR_THREADS") {
            Ok(v) => match v.trim().parse::<usize>() {
                Ok(n) if (1..=64).contains(&n) => n,
                _ => {
                    tracing::warn!(value = %v, "RADAR_THREADS is not a number from 1 to 64; using {cores}");
                    cores
                }
            },
            Err(_) => cores,
        }
    })
}

/// The pool, made on first use; `None` when one thread is all we use (the
/// caller's thread does the work) or the pool cannot start.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let n = threads();
        if n == 1 {
            return None;
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("radar-work-{i}"))
            .build()
            .map_err(|e| tracing::warn!(error = %e, "no worker threads; working on one"))
            .ok()
    })
    .as_ref()
}

/// `items.iter().map(f).collect()`, computed on up to [`threads`] threads;
/// the results keep the order of `items`. A panic in `f` reaches the caller.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    match pool() {
        Some(pool) if items.len() > 1 => pool.install(|| items.par_iter().map(f).collect()),
        _ => items.iter().map(f).collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_every_item() {
        for n in [0usize, 1, 15, 16, 17, 1000, 1001] {
            let items: Vec<usize> = (0..n).collect();
            let out = super::map(&items, |x| x * 3 + 1);
            assert_eq!(
                out,
                items.iter().map(|x| x * 3 + 1).collect::<Vec<_>>(),
                "n={n}"
            );
        }
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn a_panic_reaches_the_caller() {
        let items: Vec<usize> = (0..100).collect();
        super::map(&items, |&x| if x == 77 { panic!("boom") } else { x });
    }
}
