//! Sector classification into the AZW branches.
//!
//! Branch ids follow the labelled data: `ziekenhuis` (umc's and hospitals),
//! `vvt`, `ggz`, `gehandicaptenzorg`, `jeugdzorg`, `huisartsen`, `kinderopvang`,
//! `sociaal-werk`, and from "overige zorg en welzijn" `ambulancezorg`,
//! `kraamzorg` and `overig`; `breed` when an article covers care and welfare in
//! general or several branches without a clear lead.
//! Scores come from the branch vocabularies in `[[sector.branches]]` of
//! themes.toml, weighted by field (title > lead > body).

/// Minimum branch points to name a branch.
pub const MIN_BRANCH: f32 = 1.0;
/// Runner-up branch at or above this share of the winner → "breed".
pub const BREED_SHARE: f32 = 0.75;
/// Generic care context needed for "breed" when no branch is clear.
pub const MIN_CONTEXT_BREED: f32 = 2.0;

/// Pick a branch id from branch scores.
pub fn classify(branches: &[(String, String)], scores: &[f32], context: f32) -> Option<String> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let &best = order.first()?;
    let top = scores[best];
    let second = order.get(1).map(|&i| scores[i]).unwrap_or(0.0);
    if top >= MIN_BRANCH && second < BREED_SHARE * top {
        return Some(branches[best].0.clone());
    }
    if context >= MIN_CONTEXT_BREED {
        return Some("breed".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b() -> Vec<(String, String)> {
        ["ziekenhuis", "vvt", "ggz"]
            .iter()
            .map(|s| (s.to_string(), s.to_string()))
            .collect()
    }

    #[test]
    fn clear_branch() {
        assert_eq!(
            classify(&b(), &[0.0, 4.0, 1.0], 6.0).as_deref(),
            Some("vvt")
        );
    }

    #[test]
    fn mixed_is_breed() {
        assert_eq!(
            classify(&b(), &[3.0, 3.0, 0.0], 8.0).as_deref(),
            Some("breed")
        );
    }

    #[test]
    fn no_context_is_none() {
        assert_eq!(classify(&b(), &[0.0, 0.0, 0.0], 0.0), None);
        assert_eq!(
            classify(&b(), &[0.0, 0.0, 0.0], 3.0).as_deref(),
            Some("breed")
        );
    }
}
