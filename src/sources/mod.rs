//! What to watch: `[[source]]` entries from `*.toml` source lists in, a
//! validated list of [`Source`]s out.
//!
//! A source list is strict TOML: unknown keys, duplicate ids and URLs with
//! schemes other than http(s) (or local files, when allowed) are refused
//! with the file, the entry and the key. This module reads files but never
//! fetches anything.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod add;
pub mod opml;

/// What kind of source this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// An RSS, Atom or JSON feed.
    Feed,
    /// A news overview page without a feed: links picked by CSS selectors
    /// are followed and extracted (`intake::listpage`).
    Page,
    /// A folder of newsletters (.eml, mbox, Maildir), split into stories
    /// (`intake::mailbox`).
    Mailbox,
}

impl SourceKind {
    /// The name used in files and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Page => "page",
            SourceKind::Mailbox => "mailbox",
        }
    }
}

/// Selectors of a list page (`kind = "page"`), validated when loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRules {
    /// CSS selector for the items: a link, or an element holding one.
    pub items: String,
    /// Title selector, relative to the item.
    pub title: Option<String>,
    /// Date selector, relative to the item (`datetime` attribute or text).
    pub date: Option<String>,
    /// Summary selector, relative to the item.
    pub summary: Option<String>,
    /// The link to the next (older) page of the list; when unset, a
    /// `rel="next"` link is used if the page has one.
    pub next: Option<String>,
    /// Most new links followed in one pass.
    pub max_items: usize,
    /// Most list pages read in one pass (the first page included).
    pub max_pages: usize,
}

/// Default of `max_items`.
pub const DEFAULT_MAX_ITEMS: usize = 30;
/// Default of `max_pages`.
pub const DEFAULT_MAX_PAGES: usize = 3;

/// Where a source's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An http(s) URL.
    Http(url::Url),
    /// A local file (offline samples, tests).
    File(PathBuf),
    /// An IMAP folder of a mailbox source: `imaps://user@host[:port]/Folder`
    /// (or `imap://` to a loopback gateway), with the name of the
    /// environment variable that holds the password.
    Imap {
        /// The folder's URL (user name, no password).
        url: url::Url,
        /// Environment variable with the password.
        password_env: String,
    },
}

impl Location {
    /// The location as stored and shown: the URL, or the absolute path.
    pub fn display(&self) -> String {
        match self {
            Location::Http(u) => u.to_string(),
            Location::File(p) => p.display().to_string(),
            Location::Imap { url, .. } => url.to_string(),
        }
    }
}

/// One validated source.
#[derive(Debug, Clone)]
pub struct Source {
    /// Stable id (lowercase letters, digits, `-`, `_`).
    pub id: String,
    /// Human name, shown to advisors.
    pub name: String,
    /// Where to fetch it.
    pub location: Location,
    /// The kind of source.
    pub kind: SourceKind,
    /// Selectors, for `kind = "page"`.
    pub page: Option<PageRules>,
    /// Per-site rules (`include`, `exclude`) for the article pages of this
    /// source: list-page links, and feed or newsletter items whose full
    /// text is fetched.
    pub rules: crate::extract::rules::BodyRules,
    /// Free tags such as `sector:vvt`, `region:limburg`, `outlet:vakmedia`.
    pub tags: Vec<String>,
    /// Disabled sources are kept but not fetched.
    pub enabled: bool,
    /// Own full-text policy (`always`, `auto`, `never`); `None` follows
    /// `extract.full_text` in the config.
    pub full_text: Option<crate::config::FullText>,
    /// Cron expression for `radar run`; `None`: the tag or default schedule.
    pub schedule: Option<String>,
    /// The file this entry came from.
    pub origin: PathBuf,
}

/// Why a source list was refused.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    /// The folder or a file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// File or folder.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// TOML syntax, an unknown key or a wrongly typed value.
    #[error("invalid source list {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (names key and line).
        message: String,
    },
    /// A well-formed entry with an unacceptable value.
    #[error("invalid source list {path}: source `{id}`: key `{key}`: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The entry's id (or its position when the id itself is bad).
        id: String,
        /// The key at fault.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    source: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    name: String,
    #[serde(default)]
    url: Option<String>,
    kind: SourceKind,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    items: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    include: Option<String>,
    #[serde(default)]
    exclude: Option<String>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    max_items: Option<usize>,
    #[serde(default)]
    max_pages: Option<usize>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    full_text: Option<crate::config::FullText>,
    schedule: Option<String>,
    #[serde(default)]
    password_env: Option<String>,
}

fn yes() -> bool {
    true
}

/// Reads every `*.toml` file directly in `dir` (sorted by name) and returns
/// all sources. Ids must be unique across files.
pub fn load_dir(dir: &Path, allow_files: bool) -> Result<Vec<Source>, SourcesError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SourcesError::Read {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for f in files {
        all.extend(load_file(&f, allow_files)?);
    }
    check_unique(&all)?;
    Ok(all)
}

/// Reads one source list file.
pub fn load_file(path: &Path, allow_files: bool) -> Result<Vec<Source>, SourcesError> {
    let text = std::fs::read_to_string(path).map_err(|e| SourcesError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    parse_list(&text, path, allow_files)
}

/// Parses and validates the text of a source list; `path` is where it is
/// (or will be) written: relative paths resolve beside it and messages
/// name it.
pub fn parse_list(text: &str, path: &Path, allow_files: bool) -> Result<Vec<Source>, SourcesError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| SourcesError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::with_capacity(raw.source.len());
    for (i, r) in raw.source.into_iter().enumerate() {
        let invalid = |id: &str, key: &str, reason: String| SourcesError::Invalid {
            path: path.to_path_buf(),
            id: id.to_string(),
            key: key.to_string(),
            reason,
        };
        if !valid_id(&r.id) {
            return Err(invalid(
                &format!("#{}", i + 1),
                "id",
                format!(
                    "{:?} is not a valid id (use lowercase letters, digits, '-' and '_')",
                    r.id
                ),
            ));
        }
        if r.name.trim().is_empty() {
            return Err(invalid(&r.id, "name", "must not be empty".into()));
        }
        if r.password_env.is_some() && !r.url.as_deref().is_some_and(is_imap_url) {
            return Err(invalid(
                &r.id,
                "password_env",
                "only a mailbox source on IMAP (url = \"imaps://...\") has a password".into(),
            ));
        }
        let location = match (r.kind, &r.url, &r.path) {
            (SourceKind::Mailbox, Some(u), None) if is_imap_url(u) => {
                imap_location(u, r.password_env.as_deref())
                    .map_err(|(key, reason)| invalid(&r.id, key, reason))?
            }
            (SourceKind::Mailbox, Some(_), _) => {
                return Err(invalid(
                    &r.id,
                    "url",
                    "a mailbox source has `path` (a folder) or an `imaps://` url".into(),
                ));
            }
            (SourceKind::Mailbox, None, None) => {
                return Err(invalid(
                    &r.id,
                    "path",
                    "is required for kind = \"mailbox\" (or url = \"imaps://...\")".into(),
                ));
            }
            (SourceKind::Mailbox, None, Some(p)) => {
                mailbox_location(p, base).map_err(|reason| invalid(&r.id, "path", reason))?
            }
            (_, Some(u), _) if is_imap_url(u) => {
                return Err(invalid(
                    &r.id,
                    "url",
                    "an IMAP url needs kind = \"mailbox\"".into(),
                ));
            }
            (_, _, Some(_)) => {
                return Err(invalid(
                    &r.id,
                    "path",
                    "only a mailbox source has `path`; use `url`".into(),
                ));
            }
            (_, None, None) => return Err(invalid(&r.id, "url", "is required".into())),
            (_, Some(u), None) => parse_location(u, base, allow_files)
                .map_err(|reason| invalid(&r.id, "url", reason))?,
        };
        let page = page_rules(&r).map_err(|(key, reason)| invalid(&r.id, key, reason))?;
        let rules = body_rules(&r).map_err(|(key, reason)| invalid(&r.id, key, reason))?;
        if let Some(expr) = &r.schedule {
            crate::schedule::parse_cron(expr)
                .map_err(|reason| invalid(&r.id, "schedule", reason))?;
        }
        out.push(Source {
            id: r.id,
            name: r.name,
            location,
            kind: r.kind,
            page,
            rules,
            tags: r.tags,
            enabled: r.enabled,
            full_text: r.full_text,
            schedule: r.schedule,
            origin: path.to_path_buf(),
        });
    }
    check_unique(&out)?;
    Ok(out)
}

fn is_imap_url(raw: &str) -> bool {
    let raw = raw.trim_start().to_ascii_lowercase();
    raw.starts_with("imaps://") || raw.starts_with("imap://")
}

/// An IMAP folder: `imaps://user@host[:port]/Folder` with `password_env`.
/// Plain `imap://` only to a loopback gateway (such as DavMail or a mail
/// bridge on this machine): elsewhere the password would cross the network
/// unencrypted. Errors name the key.
fn imap_location(
    raw: &str,
    password_env: Option<&str>,
) -> Result<Location, (&'static str, String)> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| ("url", format!("{raw:?} is not a valid URL: {e}")))?;
    if url.password().is_some() {
        return Err((
            "url",
            "no password in the URL: name an environment variable in password_env".into(),
        ));
    }
    if url.username().is_empty() {
        return Err((
            "url",
            "the URL needs the user name: imaps://user@host/Folder".into(),
        ));
    }
    let Some(host) = url.host() else {
        return Err(("url", "the URL has no host".into()));
    };
    if url.scheme() == "imap" {
        // imap is not a "special" scheme, so the url crate leaves an IPv4
        // host as text: parse it here.
        let loopback = match host {
            url::Host::Domain(d) => {
                d.eq_ignore_ascii_case("localhost")
                    || d.parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        if !loopback {
            return Err((
                "url",
                "imap:// (no TLS) is only allowed to this machine (127.0.0.1, localhost); use imaps://"
                    .into(),
            ));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(("url", "an IMAP URL has no ?query or #fragment".into()));
    }
    let Some(env) = password_env.map(str::trim).filter(|e| !e.is_empty()) else {
        return Err((
            "password_env",
            "is required for an IMAP mailbox: the name of the environment variable with the password"
                .into(),
        ));
    };
    if !env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err((
            "password_env",
            format!("{env:?} is not an environment variable name"),
        ));
    }
    Ok(Location::Imap {
        url,
        password_env: env.to_string(),
    })
}

/// A mailbox folder: a path relative to the list's folder, or absolute.
fn mailbox_location(raw: &str, base: &Path) -> Result<Location, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("must not be empty".into());
    }
    let p = Path::new(raw);
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    Ok(Location::File(std::path::absolute(&p).unwrap_or(p)))
}

/// Validates the list-page keys: required and compiled for pages, refused
/// for other kinds. Errors name the key.
fn page_rules(r: &RawSource) -> Result<Option<PageRules>, (&'static str, String)> {
    let keys: [(&'static str, &Option<String>); 5] = [
        ("items", &r.items),
        ("title", &r.title),
        ("date", &r.date),
        ("summary", &r.summary),
        ("next", &r.next),
    ];
    if r.kind != SourceKind::Page {
        if let Some((key, _)) = keys.iter().find(|(_, v)| v.is_some()) {
            return Err((key, "only a kind = \"page\" source has this key".into()));
        }
        for (key, set) in [
            ("max_items", r.max_items.is_some()),
            ("max_pages", r.max_pages.is_some()),
        ] {
            if set {
                return Err((key, "only a kind = \"page\" source has this key".into()));
            }
        }
        return Ok(None);
    }
    if r.items.is_none() {
        return Err((
            "items",
            "is required for kind = \"page\" (a CSS selector for the item links)".into(),
        ));
    }
    for (key, value) in keys {
        if let Some(v) = value {
            if v.trim().is_empty() {
                return Err((key, "must not be empty".into()));
            }
            crate::extract::rules::check_selector(v)
                .map_err(|e| (key, format!("{v:?} is not a valid CSS selector: {e}")))?;
        }
    }
    let max_items = r.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
    if !(1..=1000).contains(&max_items) {
        return Err(("max_items", format!("{max_items} is out of range (1-1000)")));
    }
    let max_pages = r.max_pages.unwrap_or(DEFAULT_MAX_PAGES);
    if !(1..=50).contains(&max_pages) {
        return Err(("max_pages", format!("{max_pages} is out of range (1-50)")));
    }
    Ok(Some(PageRules {
        items: r.items.clone().unwrap_or_default(),
        title: r.title.clone(),
        date: r.date.clone(),
        summary: r.summary.clone(),
        next: r.next.clone(),
        max_items,
        max_pages,
    }))
}

/// Validates `include` and `exclude` (any kind: they apply to the article
/// pages a source leads to).
fn body_rules(r: &RawSource) -> Result<crate::extract::rules::BodyRules, (&'static str, String)> {
    for (key, value) in [("include", &r.include), ("exclude", &r.exclude)] {
        if let Some(v) = value {
            if v.trim().is_empty() {
                return Err((key, "must not be empty".into()));
            }
            crate::extract::rules::check_selector(v)
                .map_err(|e| (key, format!("{v:?} is not a valid CSS selector: {e}")))?;
        }
    }
    Ok(crate::extract::rules::BodyRules {
        include: r.include.clone(),
        exclude: r.exclude.clone(),
    })
}

fn check_unique(sources: &[Source]) -> Result<(), SourcesError> {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for s in sources {
        if let Some(first) = seen.insert(&s.id, &s.origin) {
            return Err(SourcesError::Invalid {
                path: s.origin.clone(),
                id: s.id.clone(),
                key: "id".into(),
                reason: format!("duplicate id (also defined in {})", first.display()),
            });
        }
    }
    Ok(())
}

/// Whether `id` is a valid source id.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Turns the `url` of an entry into a [`Location`]: http(s) URLs as they
/// are, `file://` URLs and plain paths (relative to the list's folder) as
/// files when `allow_files`. Anything else is refused.
pub fn parse_location(raw: &str, base: &Path, allow_files: bool) -> Result<Location, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("must not be empty".into());
    }
    let has_scheme = raw.split_once(':').is_some_and(|(s, _)| {
        s.len() > 1
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
    });
    if has_scheme {
        let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not a valid URL: {e}"))?;
        return match url.scheme() {
            "http" | "https" => {
                if !url.username().is_empty() || url.password().is_some() {
                    return Err("credentials in the URL are not allowed".into());
                }
                if url.host_str().is_none_or(str::is_empty) {
                    return Err("the URL has no host".into());
                }
                Ok(Location::Http(url))
            }
            "file" if allow_files => url
                .to_file_path()
                .map(Location::File)
                .map_err(|_| format!("{raw:?} is not a usable file URL")),
            "file" => Err("local files are not allowed (set sources.allow_files = true)".into()),
            other => Err(format!(
                "scheme `{other}` is not supported (use http or https)"
            )),
        };
    }
    if !allow_files {
        return Err("local files are not allowed (set sources.allow_files = true)".into());
    }
    let p = Path::new(raw);
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    Ok(Location::File(std::path::absolute(&p).unwrap_or(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn refuses_bad_schemes_and_credentials() {
        let base = Path::new("/tmp");
        for bad in [
            "ftp://x.nl/feed",
            "gopher://x",
            "javascript:alert(1)",
            "data:text/xml,<rss/>",
        ] {
            assert!(parse_location(bad, base, true).is_err(), "{bad}");
        }
        assert!(parse_location("https://u:p@x.nl/feed", base, true).is_err());
        assert!(parse_location("feeds/a.xml", base, false).is_err());
        assert_eq!(
            parse_location("https://www.skipr.nl/feed", base, false).unwrap(),
            Location::Http(url::Url::parse("https://www.skipr.nl/feed").unwrap())
        );
        assert_eq!(
            parse_location("samples/a.rss", base, true).unwrap(),
            Location::File(PathBuf::from("/tmp/samples/a.rss"))
        );
    }

    #[test]
    fn names_file_entry_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.toml",
            "[[source]]\nid = \"x\"\nname = \"X\"\nurl = \"ftp://x.nl\"\nkind = \"feed\"\n",
        );
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(
            err.contains("a.toml") && err.contains("`x`") && err.contains("url"),
            "{err}"
        );

        let p = write(
            dir.path(),
            "b.toml",
            "[[source]]\nid = \"y\"\nname = \"Y\"\nurl = \"https://y.nl\"\nkind = \"feed\"\ncolour = 1\n",
        );
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn page_and_mailbox_keys_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let page = "[[source]]\nid = \"p\"\nname = \"P\"\nurl = \"https://p.nl/nieuws\"\nkind = \"page\"\n";
        let p = write(dir.path(), "a.toml", page);
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(err.contains("`p`") && err.contains("`items`"), "{err}");

        let p = write(
            dir.path(),
            "b.toml",
            &format!("{page}items = \"article a\"\ntitle = \"h2[\"\n"),
        );
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(
            err.contains("b.toml") && err.contains("`title`") && err.contains("CSS"),
            "{err}"
        );

        let p = write(
            dir.path(),
            "c.toml",
            &format!("{page}items = \"article a\"\nexclude = \".share, aside\"\n"),
        );
        let s = &load_file(&p, false).unwrap()[0];
        let rules = s.page.as_ref().unwrap();
        assert_eq!(rules.items, "article a");
        assert_eq!(s.rules.exclude.as_deref(), Some(".share, aside"));
        assert_eq!(rules.max_items, DEFAULT_MAX_ITEMS);
        assert_eq!(rules.max_pages, DEFAULT_MAX_PAGES);
        assert_eq!(rules.next, None);

        let p = write(
            dir.path(),
            "c2.toml",
            &format!("{page}items = \"article a\"\nnext = \".pager a.volgende\"\nmax_pages = 0\n"),
        );
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(err.contains("`max_pages`") && err.contains("1-50"), "{err}");
        let p = write(
            dir.path(),
            "c3.toml",
            &format!("{page}items = \"article a\"\nnext = \"a[rel=\"\n"),
        );
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(err.contains("`next`") && err.contains("CSS"), "{err}");

        let feed =
            "[[source]]\nid = \"f\"\nname = \"F\"\nurl = \"https://f.nl/rss\"\nkind = \"feed\"\n";
        let p = write(dir.path(), "d.toml", &format!("{feed}items = \"a\"\n"));
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(err.contains("`items`") && err.contains("page"), "{err}");
        let p = write(dir.path(), "d2.toml", &format!("{feed}max_pages = 2\n"));
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(err.contains("`max_pages`") && err.contains("page"), "{err}");
        // Body rules apply to a feed's article pages too, and are checked.
        let p = write(
            dir.path(),
            "d3.toml",
            &format!("{feed}include = \".artikel-tekst\"\nexclude = \".deel\"\n"),
        );
        let s = &load_file(&p, false).unwrap()[0];
        assert_eq!(s.rules.include.as_deref(), Some(".artikel-tekst"));
        let p = write(
            dir.path(),
            "d4.toml",
            &format!("{feed}exclude = \"div[\"\n"),
        );
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(err.contains("`exclude`") && err.contains("CSS"), "{err}");

        let mail = "[[source]]\nid = \"m\"\nname = \"M\"\nkind = \"mailbox\"\npath = \"post\"\n";
        let p = write(dir.path(), "e.toml", mail);
        let s = &load_file(&p, false).unwrap()[0];
        assert_eq!(s.location, Location::File(dir.path().join("post")));
        let p = write(
            dir.path(),
            "f.toml",
            "[[source]]\nid = \"m\"\nname = \"M\"\nkind = \"mailbox\"\n",
        );
        let err = load_file(&p, true).unwrap_err().to_string();
        assert!(err.contains("`path`"), "{err}");
    }

    #[test]
    fn duplicate_ids_across_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let entry =
            "[[source]]\nid = \"x\"\nname = \"X\"\nurl = \"https://x.nl/f\"\nkind = \"feed\"\n";
        write(dir.path(), "a.toml", entry);
        write(dir.path(), "b.toml", entry);
        let err = load_dir(dir.path(), true).unwrap_err().to_string();
        assert!(err.contains("duplicate id"), "{err}");
    }
}
