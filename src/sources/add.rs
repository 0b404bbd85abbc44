//! Adding a source while radar runs (the web interface's "Bron toevoegen")
//! and writing source lists safely.
//!
//! A URL given by a person is checked by fetching it (through the
//! SSRF-guarded fetcher): a feed is taken as it is; an HTML page is
//! searched for the feeds it advertises (`<link rel="alternate">`) and the
//! first one that parses is taken. The new entry is appended to a source
//! list file with [`append_entries`]: written beside the file, checked to
//! load, then renamed over it, so a crash or a bad entry never leaves a
//! broken list. The scheduler notices the changed list ([`list_stamp`])
//! and polls the new source on its next tick.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Location, Source};
use crate::extract::feed::{FeedError, parse_feed};
use crate::extract::urlnorm;
use crate::fetch::{FetchOutcome, Fetcher};
use crate::store::FetchState;

/// A feed found at (or through) a URL.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// The feed's URL (after redirects).
    pub url: String,
    /// The feed's own title.
    pub title: Option<String>,
    /// Entries in the feed now.
    pub items: usize,
    /// The feed was advertised by the page that was given, not given itself.
    pub via_page: bool,
}

/// Why no feed could be taken from a URL.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The URL could not be fetched.
    #[error("cannot fetch {url}: {message}")]
    Fetch { url: String, message: String },
    /// An HTML page without a usable advertised feed.
    #[error("{url} is a web page that advertises no readable feed")]
    NoFeed {
        url: String,
        /// The page's URL after redirects.
        final_url: String,
        /// The page, decoded (for [`crate::intake::detect::detect_list`]).
        page: String,
    },
    /// Something that is neither a feed nor a web page.
    #[error("{url} is not a feed: {message}")]
    NotAFeed { url: String, message: String },
}

async fn get(fetcher: &Fetcher, url: &str) -> Result<(Vec<u8>, Option<String>, String), String> {
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    match fetcher
        .fetch(&Location::Http(parsed), &FetchState::default())
        .await
    {
        FetchOutcome::Fresh {
            body,
            content_type,
            final_url,
            ..
        } => Ok((body, content_type, final_url.unwrap_or_else(|| url.into()))),
        FetchOutcome::Failed(f) => Err(f.message),
        _ => Err("no content".into()),
    }
}

/// Fetches `url` and returns the feed it is or advertises.
pub async fn discover(fetcher: &Fetcher, url: &str) -> Result<Discovered, DiscoverError> {
    let (body, ct, final_url) =
        get(fetcher, url)
            .await
            .map_err(|message| DiscoverError::Fetch {
                url: url.into(),
                message,
            })?;
    let alternates = match parse_feed(&body, ct.as_deref(), Some(&final_url)) {
        Ok(p) => {
            return Ok(Discovered {
                url: final_url,
                title: p.feed.title.map(|t| t.content.trim().to_string()),
                items: p.feed.entries.len(),
                via_page: false,
            });
        }
        Err(FeedError::NotAFeed { alternates }) => alternates,
        Err(e) => {
            return Err(DiscoverError::NotAFeed {
                url: url.into(),
                message: e.to_string(),
            });
        }
    };
    for alt in alternates.iter().take(5) {
        let Ok((body, ct, final_alt)) = get(fetcher, alt).await else {
            continue;
        };
        if let Ok(p) = parse_feed(&body, ct.as_deref(), Some(&final_alt)) {
            return Ok(Discovered {
                url: final_alt,
                title: p.feed.title.map(|t| t.content.trim().to_string()),
                items: p.feed.entries.len(),
                via_page: true,
            });
        }
    }
    Err(DiscoverError::NoFeed {
        url: url.into(),
        page: crate::extract::encoding::decode(&body, ct.as_deref()).text,
        final_url,
    })
}

/// The form in which source URLs are compared (canonical, else trimmed).
pub fn url_key(url: &str) -> String {
    urlnorm::canonical(url).unwrap_or_else(|| url.trim().to_string())
}

/// The configured source whose URL is the same as `url` (canonical form).
pub fn same_url<'a>(url: &str, existing: &'a [Source]) -> Option<&'a Source> {
    let want = url_key(url);
    existing
        .iter()
        .find(|s| url_key(&s.location.display()) == want)
}

/// `base` (`bron` when empty), or with the first suffix `-2`, `-3`, ... that
/// `taken` does not hold.
pub fn free_id(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = if base.is_empty() { "bron" } else { base };
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .expect("an unused suffix exists")
}

/// An id for a source named `name` that no existing source has.
pub fn unique_id(name: &str, existing: &[Source]) -> String {
    free_id(&super::opml::id_from_title(name), |id| {
        existing.iter().any(|s| s.id == id)
    })
}

/// Appends `entries` (TOML `[[source]]` tables) to the list at `target`,
/// starting a new file with `header` when there is none. The result is
/// written beside the target and must load before it replaces anything.
pub fn append_entries(
    target: &Path,
    header: &str,
    entries: &str,
    allow_files: bool,
) -> anyhow::Result<()> {
    let mut text = match std::fs::read_to_string(target) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => header.to_string(),
        Err(e) => anyhow::bail!("cannot read {}: {e}", target.display()),
    };
    if !text.is_empty() && !text.ends_with("\n\n") {
        text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
    }
    text.push_str(entries);
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".radar-sources")
        .suffix(".tmp")
        .tempfile_in(parent)?;
    tmp.write_all(text.as_bytes())?;
    tmp.flush()?;
    tmp.as_file().sync_all()?;
    super::load_file(tmp.path(), allow_files)
        .map_err(|e| anyhow::anyhow!("the list would be invalid, nothing written: {e}"))?;
    tmp.persist(target)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", target.display()))?;
    Ok(())
}

/// What the source lists in `dir` look like on disk (names, sizes, change
/// times): when it differs from the last look, the lists are read again.
pub fn list_stamp(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| {
            let m = std::fs::metadata(&p).ok()?;
            Some((p, m.len(), m.modified().ok()))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(dir: &Path) -> Vec<Source> {
        super::super::load_dir(dir, false).unwrap()
    }

    #[test]
    fn entries_are_appended_only_when_the_list_stays_valid() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("web.toml");
        append_entries(
            &target,
            "# added\n\n",
            "[[source]]\nid = \"a\"\nname = \"A\"\nurl = \"https://a.nl/feed\"\nkind = \"feed\"\n",
            false,
        )
        .unwrap();
        let before = std::fs::read_to_string(&target).unwrap();
        assert!(before.starts_with("# added"));
        let stamp = list_stamp(dir.path());
        // A second entry with the same id is refused and changes nothing.
        let err = append_entries(
            &target,
            "",
            "[[source]]\nid = \"a\"\nname = \"A2\"\nurl = \"https://b.nl/feed\"\nkind = \"feed\"\n",
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("nothing written"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), before);
        assert_eq!(list_stamp(dir.path()), stamp);
        append_entries(
            &target,
            "",
            "[[source]]\nid = \"b\"\nname = \"B\"\nurl = \"https://b.nl/feed\"\nkind = \"feed\"\n",
            false,
        )
        .unwrap();
        let all = list(dir.path());
        assert_eq!(all.len(), 2);
        assert_ne!(list_stamp(dir.path()), stamp);
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");

        assert_eq!(unique_id("A", &all), "a-2");
        assert_eq!(
            unique_id("Zorg & Welzijn: nieuws", &all),
            "zorg-welzijn-nieuws"
        );
        assert_eq!(unique_id("!!!", &all), "bron");
        assert!(same_url("https://A.nl/feed", &all).is_some());
        assert!(same_url("https://a.nl/ander", &all).is_none());
    }
}
