//! Source health: after each poll, decide whether a source is to be
//! suspended and what warning (if any) the user should see. Pure; the
//! store keeps the state. Nothing here ever deletes an article: a feed
//! that drops to zero items or starts serving another site's content is
//! only flagged.

use chrono::{DateTime, Utc};

use crate::config::HealthConfig;
use crate::store::{HealthState, HealthUpdate};

/// What one poll showed.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// The poll failed.
    pub failed: bool,
    /// Items in the parsed feed (`None`: nothing was parsed, e.g. a 304).
    pub item_count: Option<u64>,
    /// New articles stored.
    pub new_items: u64,
    /// The site the feed says it belongs to (host of its `<link>`).
    pub feed_site: Option<String>,
}

/// The host of a site URL without `www.`, for comparing feeds' sites.
pub fn site_of(link: &str) -> Option<String> {
    let u = url::Url::parse(link).ok()?;
    let h = u.host_str()?.to_ascii_lowercase();
    Some(h.strip_prefix("www.").unwrap_or(&h).to_string())
}

/// Judges a poll. `prior` is the state before it was recorded.
pub fn assess(
    prior: &HealthState,
    obs: &Observation,
    cfg: &HealthConfig,
    now: DateTime<Utc>,
) -> HealthUpdate {
    let errors = if obs.failed { prior.error_count + 1 } else { 0 };
    let suspend = cfg.suspend_after_failures > 0 && errors >= cfg.suspend_after_failures;
    let mut warnings = Vec::new();
    if suspend {
        warnings.push(format!(
            "suspended after {errors} consecutive failures; resume with `radar sources --resume <id>`"
        ));
    }
    if !obs.failed {
        if obs.item_count == Some(0)
            && (prior.last_item_count.unwrap_or(0) > 0 || prior.articles > 0)
        {
            warnings.push(format!(
                "the feed now has zero items (had {}); nothing was deleted",
                prior.last_item_count.unwrap_or(prior.articles)
            ));
        }
        if let (Some(before), Some(now_site)) = (&prior.feed_site, &obs.feed_site) {
            if before != now_site {
                warnings.push(format!(
                    "the feed now carries content of another site ({now_site}, was {before}); check the source URL"
                ));
            }
        }
        if obs.new_items == 0 && cfg.silent_after_days > 0 && prior.articles > 0 {
            if let Some(last) = prior.last_new_at {
                let days = (now - last).num_days();
                if days >= cfg.silent_after_days as i64 {
                    warnings.push(format!("silent source: nothing new for {days} days"));
                }
            }
        }
    }
    let nothing_parsed = obs.item_count.is_none();
    let warning = if (obs.failed && !suspend) || (nothing_parsed && warnings.is_empty()) {
        // A failure is shown as the last error, and a 304 or an unchanged
        // body shows nothing new: keep any earlier warning.
        prior.warning.clone()
    } else if warnings.is_empty() {
        None
    } else {
        Some(warnings.join("; "))
    };
    HealthUpdate {
        suspend,
        warning,
        item_count: obs.item_count,
        // A feed whose site changed keeps the old site on record, so the
        // warning stays until the user fixes the source.
        feed_site: match (&prior.feed_site, &obs.feed_site) {
            (None, Some(s)) => Some(s.clone()),
            _ => None,
        },
        had_new: obs.new_items > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> HealthConfig {
        HealthConfig {
            suspend_after_failures: 3,
            silent_after_days: 14,
        }
    }

    #[test]
    fn suspends_after_n_consecutive_failures() {
        let now = Utc::now();
        let fail = Observation {
            failed: true,
            ..Default::default()
        };
        let mut prior = HealthState::default();
        for n in 1..=3u32 {
            let u = assess(&prior, &fail, &cfg(), now);
            assert_eq!(u.suspend, n == 3, "after {n} failures");
            prior.error_count = n;
        }
    }

    #[test]
    fn zero_items_other_site_and_silence_are_warned() {
        let now = Utc::now();
        let prior = HealthState {
            last_item_count: Some(12),
            feed_site: Some("skipr.nl".into()),
            articles: 40,
            last_new_at: Some(now - chrono::Duration::days(20)),
            ..Default::default()
        };
        let u = assess(
            &prior,
            &Observation {
                item_count: Some(0),
                feed_site: Some("skipr.nl".into()),
                ..Default::default()
            },
            &cfg(),
            now,
        );
        let w = u.warning.unwrap();
        assert!(w.contains("zero items (had 12)"), "{w}");
        assert!(w.contains("silent source: nothing new for 20 days"), "{w}");
        let u = assess(
            &prior,
            &Observation {
                item_count: Some(5),
                new_items: 5,
                feed_site: Some("casino.example".into()),
                ..Default::default()
            },
            &cfg(),
            now,
        );
        let w = u.warning.unwrap();
        assert!(
            w.contains("another site (casino.example, was skipr.nl)"),
            "{w}"
        );
        let u = assess(
            &prior,
            &Observation {
                item_count: Some(5),
                new_items: 2,
                feed_site: Some("skipr.nl".into()),
                ..Default::default()
            },
            &cfg(),
            now,
        );
        assert_eq!(u.warning, None);
    }

    #[test]
    fn an_unchanged_poll_keeps_the_warning_and_a_good_parse_clears_it() {
        let now = Utc::now();
        let prior = HealthState {
            last_item_count: Some(0),
            articles: 4,
            last_new_at: Some(now),
            warning: Some("the feed now has zero items (had 4); nothing was deleted".into()),
            ..Default::default()
        };
        let unchanged = assess(&prior, &Observation::default(), &cfg(), now);
        assert_eq!(unchanged.warning, prior.warning);
        let still_empty = assess(
            &prior,
            &Observation {
                item_count: Some(0),
                ..Default::default()
            },
            &cfg(),
            now,
        );
        assert!(still_empty.warning.unwrap().contains("zero items"));
        let back = assess(
            &prior,
            &Observation {
                item_count: Some(3),
                ..Default::default()
            },
            &cfg(),
            now,
        );
        assert_eq!(back.warning, None);
    }

    #[test]
    fn site_ignores_www() {
        assert_eq!(
            site_of("https://www.Skipr.nl/nieuws"),
            Some("skipr.nl".into())
        );
    }
}
