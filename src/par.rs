//! Data parallelism for the CPU-bound steps of processing (scoring,
//! cluster signatures): a pure function over a batch, split across the
//! machine's cores with scoped threads. No pool and no dependency: a batch
//! is hundreds of articles, so starting two to four threads per batch costs
//! microseconds against milliseconds of work.

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

/// `items.iter().map(f).collect()`, computed on up to [`threads`] threads;
/// the results keep the order of `items`.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads().min(items.len().div_ceil(16)).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let per = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks(per)
            .map(|chunk| s.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                // A panic in `f` is a bug; carry it to the caller as such.
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    })
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
