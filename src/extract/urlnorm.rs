//! URL canonicalisation for deduplication: the same article reached with
//! different tracking parameters, fragments, default ports or host case
//! gets one canonical URL. Pure; never resolves or fetches anything.

/// Query parameters that only track the reader and never select content.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "__hstc",
    "__hssc",
    "__hsfp",
    "hsctatracking",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wt_mc",
    "wt.mc_id",
    "at_medium",
    "at_campaign",
    "xtor",
    "ref_src",
    "s_cid",
    "cmpid",
    "ncid",
    "sr_share",
    "spm",
    "_ga",
    "_gl",
];

/// Returns the canonical form of `raw`, or `None` when it is not an
/// absolute http(s) URL.
///
/// Lower-cases scheme and host (the `url` crate does), drops the fragment,
/// the default port, `utm_*` and other tracking parameters, an empty query
/// and a trailing `/` on a non-root path.
pub fn canonical(raw: &str) -> Option<String> {
    let mut url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let path = url.path().to_string();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    Some(url.to_string())
}

/// Whether a query parameter only tracks the reader (`utm_*`, `fbclid`, ...).
pub fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_") || TRACKING_PARAMS.contains(&k.as_str())
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn strips_tracking_and_noise() {
        let cases = [
            (
                "HTTPS://WWW.Zorg.nl:443/nieuws/a/?utm_source=x&utm_campaign=y&id=5#top",
                "https://www.zorg.nl/nieuws/a?id=5",
            ),
            ("https://zorg.nl/a?fbclid=abc", "https://zorg.nl/a"),
            ("http://zorg.nl/", "http://zorg.nl/"),
            ("https://zorg.nl/a?b=2&a=1", "https://zorg.nl/a?b=2&a=1"),
        ];
        for (input, want) in cases {
            assert_eq!(canonical(input).as_deref(), Some(want), "{input}");
        }
        assert_eq!(canonical("mailto:a@b.nl"), None);
        assert_eq!(canonical("/relative"), None);
    }
}
