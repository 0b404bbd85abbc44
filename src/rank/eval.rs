//! Ranking metrics over a ranked list of graded labels (0, 1, 2), best first.

/// Average precision for items with label >= `rel` (usually 2).
pub fn average_precision(ranked: &[u8], rel: u8) -> f64 {
    let total = ranked.iter().filter(|&&l| l >= rel).count();
    if total == 0 {
        return 0.0;
    }
    let mut hits = 0usize;
    let mut sum = 0f64;
    for (i, &l) in ranked.iter().enumerate() {
        if l >= rel {
            hits += 1;
            sum += hits as f64 / (i + 1) as f64;
        }
    }
    sum / total as f64
}

fn dcg(labels: &[u8], k: usize) -> f64 {
    labels
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &l)| ((1u64 << l) - 1) as f64 / ((i + 2) as f64).log2())
        .sum()
}

/// nDCG@k with graded gain 2^label - 1.
pub fn ndcg_at(ranked: &[u8], k: usize) -> f64 {
    let mut ideal = ranked.to_vec();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg = dcg(&ideal, k);
    if idcg == 0.0 {
        return 0.0;
    }
    dcg(ranked, k) / idcg
}

/// Precision at k for label >= `rel`.
pub fn precision_at(ranked: &[u8], k: usize, rel: u8) -> f64 {
    if k == 0 {
        return 0.0;
    }
    ranked.iter().take(k).filter(|&&l| l >= rel).count() as f64 / k as f64
}

/// Share of label >= `rel` items that appear in the top quarter (ceil(n/4)).
pub fn recall_top_quarter(ranked: &[u8], rel: u8) -> f64 {
    let total = ranked.iter().filter(|&&l| l >= rel).count();
    if total == 0 {
        return 0.0;
    }
    let q = ranked.len().div_ceil(4);
    ranked.iter().take(q).filter(|&&l| l >= rel).count() as f64 / total as f64
}

/// Number of items with exactly `label` in the top k.
pub fn count_in_top(ranked: &[u8], k: usize, label: u8) -> usize {
    ranked.iter().take(k).filter(|&&l| l == label).count()
}

/// Sort (score, label) pairs by score descending (stable: ties keep input order)
/// and return the labels.
pub fn rank_labels(scored: &[(f32, u8)]) -> Vec<u8> {
    let mut v: Vec<(f32, u8)> = scored.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    v.into_iter().map(|x| x.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn ap_hand_computed() {
        // relevant at ranks 1 and 3: (1/1 + 2/3) / 2 = 0.8333
        assert!(close(
            average_precision(&[2, 0, 2, 1], 2),
            (1.0 + 2.0 / 3.0) / 2.0
        ));
        assert!(close(average_precision(&[2, 2, 0], 2), 1.0));
        assert!(close(average_precision(&[0, 0], 2), 0.0));
        // relevant at rank 2 only
        assert!(close(average_precision(&[1, 2], 2), 0.5));
    }

    #[test]
    fn ndcg_hand_computed() {
        // ranked [1, 2]: dcg = 1/log2(2) + 3/log2(3) = 1 + 1.8928
        // ideal  [2, 1]: 3 + 1/log2(3) = 3.6309
        let d = 1.0 + 3.0 / 3f64.log2();
        let i = 3.0 + 1.0 / 3f64.log2();
        assert!(close(ndcg_at(&[1, 2], 10), d / i));
        assert!(close(ndcg_at(&[2, 1, 0], 10), 1.0));
        // k cuts the list: only first item counts
        assert!(close(ndcg_at(&[0, 2], 1), 0.0));
    }

    #[test]
    fn precision_recall_counts() {
        let r = [2, 0, 2, 1, 0, 0, 2, 0];
        assert!(close(precision_at(&r, 4, 2), 0.5));
        assert!(close(precision_at(&r, 2, 1), 0.5));
        // top quarter = 2 items; one of three 2s
        assert!(close(recall_top_quarter(&r, 2), 1.0 / 3.0));
        assert_eq!(count_in_top(&r, 5, 0), 2);
        assert_eq!(rank_labels(&[(1.0, 0), (3.0, 2), (2.0, 1)]), vec![2, 1, 0]);
    }
}
