//! Configuration: raw TOML (plus `RADAR_*` environment overrides) in, a
//! validated [`Config`] out.
//!
//! Layering is defaults → file → environment. Every key has its default in
//! exactly one place (the `Default` impls below); the committed `config.toml`
//! repeats them as comments and a test loads it so it cannot rot. Unknown keys
//! and bad values are refused with the key's name before anything runs. This
//! module never touches the network or the data directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Why a configuration was refused. The message always names the file and
/// the key (or environment variable) at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file we tried to read.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// TOML syntax error, unknown key or a value of the wrong type.
    #[error("invalid config {origin}: {message}")]
    Parse {
        /// File name or environment variable.
        origin: String,
        /// The parser's message, which names the key and line.
        message: String,
    },
    /// A value of the right type that is not acceptable.
    #[error("invalid config {origin}: key `{key}`: {reason}")]
    Invalid {
        /// File name or environment variable.
        origin: String,
        /// Dotted key path, e.g. `fetch.timeout_secs`.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The validated configuration. Paths are absolute (relative ones are
/// resolved against the directory of the config file).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the SQLite store and the search index live.
    pub data_dir: PathBuf,
    /// Which sources to read.
    pub sources: SourcesConfig,
    /// How to fetch.
    pub fetch: FetchConfig,
    /// Search index settings.
    pub index: IndexConfig,
    /// Ranking settings.
    pub rank: RankConfig,
    /// Full article text.
    pub extract: ExtractConfig,
    /// When sources are polled (`radar run`).
    pub schedule: ScheduleConfig,
    /// Source health: suspension and warnings.
    pub health: HealthConfig,
    /// The long-running process (`radar run`).
    pub run: RunConfig,
    /// Follow-up of leads.
    pub triage: TriageConfig,
    /// The digest of new leads.
    pub digest: DigestConfig,
    /// Sending the digest by e-mail.
    pub email: EmailConfig,
    /// The web interface (`radar serve`).
    pub web: WebConfig,
}

/// `[web]`: the web interface.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// Address and port `radar serve` listens on.
    pub bind: String,
    /// How long a log-in lasts, in hours.
    pub session_hours: u32,
    /// Results per page on the Zoeken page and in `/api/search`.
    pub page_size: usize,
    /// Most matches the web search filters, counts and sorts (the best by
    /// relevance, or the newest without a query); bounds its time and
    /// memory however large the archive.
    pub max_matches: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            bind: "127.0.0.1:8080".into(),
            session_hours: 12,
            page_size: 20,
            max_matches: 10_000,
        }
    }
}

/// `[triage]`: follow-up of leads.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct TriageConfig {
    /// Author of notes and changes when `--by` is not given. Empty: `$USER`.
    pub author: String,
}

/// `[digest]`: the digest of new leads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestConfig {
    /// When `radar run` makes the digest: a cron expression (minute hour
    /// day-of-month month day-of-week, days by name), read in `timezone`.
    pub schedule: String,
    /// Time zone of `schedule` (IANA name).
    pub timezone: String,
    /// Score from which an article is a lead in the digest.
    pub min_score: f32,
    /// Most leads per theme.
    pub per_theme: usize,
    /// Title (and e-mail subject, with the date).
    pub title: String,
    /// How far the very first digest looks back, in days.
    pub first_days: u32,
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            schedule: "0 7 * * Mon-Fri".into(),
            timezone: "Europe/Amsterdam".into(),
            min_score: 40.0,
            per_theme: 5,
            title: "Radar: nieuwe Koploper-leads".into(),
            first_days: 7,
        }
    }
}

/// `[email]`: SMTP for the digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// SMTP host. Empty: no e-mail (`radar digest --send` refuses).
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// `starttls`, `tls` (implicit TLS, usually port 465) or `none`.
    pub security: String,
    /// Environment variable holding the SMTP user name (empty: no login).
    pub username_env: String,
    /// Environment variable holding the SMTP password.
    pub password_env: String,
    /// Sender address, e.g. `Radar <radar@example.nl>`.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Extra attempts after a failed send.
    pub retries: u32,
    /// Seconds between attempts.
    pub retry_delay_secs: u64,
    /// Deadline for one SMTP conversation, in seconds.
    pub timeout_secs: u64,
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            host: String::new(),
            port: 587,
            security: "starttls".into(),
            username_env: "SMTP_USERNAME".into(),
            password_env: "SMTP_PASSWORD".into(),
            from: String::new(),
            to: Vec::new(),
            retries: 2,
            retry_delay_secs: 10,
            timeout_secs: 30,
        }
    }
}

/// When to fetch an item's web page for its full text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FullText {
    /// Always fetch the page and extract the article.
    Always,
    /// Only when the feed text is shorter than `extract.min_words`.
    Auto,
    /// Keep the feed text.
    Never,
}

/// `[extract]`: full article text for feed items that carry a teaser.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractConfig {
    /// Default policy for sources without their own `full_text` key.
    pub full_text: FullText,
    /// Under `auto`, feed texts with fewer words than this are teasers.
    pub min_words: usize,
    /// Article pages fetched per run at most (the rest waits for the next).
    pub max_per_run: usize,
    /// Only items first seen this many days ago or less get a page fetch.
    pub max_age_days: u32,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            full_text: FullText::Auto,
            min_words: 150,
            max_per_run: 200,
            max_age_days: 14,
        }
    }
}

/// `[schedule]`: when sources are due.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleConfig {
    /// IANA time zone the cron expressions are read in.
    pub timezone: String,
    /// Cron expression (sec min hour day month weekday, or the usual five
    /// fields) for sources without their own or a tag schedule.
    pub default: String,
    /// Cron expression per source tag (first matching tag of a source wins).
    pub tags: std::collections::BTreeMap<String, String>,
    /// Adapt the interval to how often a feed publishes.
    pub adaptive: bool,
    /// Shortest interval between two polls of one source, in minutes.
    pub min_interval_mins: u64,
    /// Longest interval between two polls of one source, in minutes.
    pub max_interval_mins: u64,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            timezone: "Europe/Amsterdam".into(),
            default: "0 */30 * * * *".into(),
            tags: Default::default(),
            adaptive: true,
            min_interval_mins: 15,
            max_interval_mins: 1440,
        }
    }
}

/// `[health]`: when a source counts as broken or silent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    /// Consecutive failures after which a source is suspended (0: never).
    pub suspend_after_failures: u32,
    /// Days without new items after which a feed that used to publish is
    /// reported as silent (0: never).
    pub silent_after_days: u32,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            suspend_after_failures: 10,
            silent_after_days: 14,
        }
    }
}

/// `[run]`: the long-running process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// After SIGINT/SIGTERM, how long in-flight fetches may take to finish.
    pub shutdown_grace_secs: u64,
    /// Longest sleep between two looks at what is due, in seconds.
    pub tick_secs: u64,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            shutdown_grace_secs: 30,
            tick_secs: 60,
        }
    }
}

/// `[rank]`: the Koploper-lead score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RankConfig {
    /// Theme file. Empty: `themes.toml` beside the config file when it
    /// exists, else the built-in themes.
    pub themes: PathBuf,
    /// Score from which an article is a candidate (`radar candidates`).
    pub min_score: f32,
}

impl Default for RankConfig {
    fn default() -> Self {
        RankConfig {
            themes: PathBuf::new(),
            min_score: 40.0,
        }
    }
}

/// `[sources]`: where the source lists are.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourcesConfig {
    /// Folder whose `*.toml` files hold `[[source]]` entries.
    pub dir: PathBuf,
    /// Whether sources may be local files (paths or `file://` URLs).
    pub allow_files: bool,
}

/// `[fetch]`: polite HTTP.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchConfig {
    /// User-Agent header; should name radar and a way to reach the operator.
    pub user_agent: String,
    /// Total deadline for one request, in seconds.
    pub timeout_secs: u64,
    /// Deadline for establishing a connection, in seconds.
    pub connect_timeout_secs: u64,
    /// Largest accepted response body after decompression, in bytes.
    pub max_body_bytes: u64,
    /// Most redirects followed for one request.
    pub max_redirects: usize,
    /// Sources fetched at the same time.
    pub concurrency: usize,
    /// Deadline for each read from the connection, in seconds.
    pub read_timeout_secs: u64,
    /// Retries of a transient failure (timeout, connection error, 5xx, 429).
    pub retries: u32,
    /// First retry delay in milliseconds; doubles per retry, with jitter.
    pub retry_base_ms: u64,
    /// Cap on Retry-After, Cache-Control and Expires delays, in seconds.
    pub max_retry_after_secs: u64,
    /// Requests in flight at the same time to one host.
    pub per_host_concurrency: usize,
    /// Minimum time between the starts of two requests to one host, in ms.
    pub per_host_delay_ms: u64,
    /// Non-public networks (CIDR) that may be fetched anyway; everything
    /// loopback, private, link-local, CGNAT or metadata is refused otherwise.
    pub allow_networks: Vec<String>,
}

/// `[index]`: the tantivy index.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IndexConfig {
    /// Memory budget of the single index writer, in MiB.
    pub writer_memory_mb: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("index"),
            sources: SourcesConfig::default(),
            fetch: FetchConfig::default(),
            index: IndexConfig::default(),
            rank: RankConfig::default(),
            extract: ExtractConfig::default(),
            schedule: ScheduleConfig::default(),
            health: HealthConfig::default(),
            run: RunConfig::default(),
            triage: TriageConfig::default(),
            digest: DigestConfig::default(),
            email: EmailConfig::default(),
            web: WebConfig::default(),
        }
    }
}

impl Default for SourcesConfig {
    fn default() -> Self {
        SourcesConfig {
            dir: PathBuf::from("feeds"),
            allow_files: true,
        }
    }
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: concat!(
                "radar/",
                env!("CARGO_PKG_VERSION"),
                " (zorg-en-welzijn news reader; contact: set fetch.user_agent)"
            )
            .to_string(),
            timeout_secs: 30,
            connect_timeout_secs: 10,
            max_body_bytes: 16 * 1024 * 1024,
            max_redirects: 5,
            concurrency: 8,
            read_timeout_secs: 15,
            retries: 2,
            retry_base_ms: 1000,
            max_retry_after_secs: 86_400,
            per_host_concurrency: 2,
            per_host_delay_ms: 1000,
            allow_networks: Vec::new(),
        }
    }
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            writer_memory_mb: 64,
        }
    }
}

/// Environment variables that are flags, not config keys (see the CLI).
const NON_KEY_ENV: &[&str] = &[
    "RADAR_CONFIG",
    "RADAR_DATA",
    "RADAR_LOG",
    "RADAR_SHARED",
    "RADAR_THREADS",
    "RADAR_PASSWORD",
];

impl Config {
    /// Loads `path` (or only defaults when `path` is `None`), applies
    /// `RADAR_*` overrides from `env`, resolves relative paths against the
    /// file's directory and validates everything.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let (mut value, origin, base) = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                let value: toml::Table = toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    origin: p.display().to_string(),
                    message: e.to_string(),
                })?;
                let base = p
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| PathBuf::from("."));
                (value, p.display().to_string(), base)
            }
            None => (
                toml::Table::new(),
                "(defaults)".to_string(),
                PathBuf::from("."),
            ),
        };
        // Validate the file on its own first so its errors name the file.
        Self::from_table(value.clone(), &origin)?;
        apply_env(&mut value, env)?;
        let mut config = Self::from_table(value, "(environment)")?;
        config.data_dir = absolutize(&base, &config.data_dir);
        config.sources.dir = absolutize(&base, &config.sources.dir);
        if config.rank.themes.as_os_str().is_empty() {
            let beside = base.join("themes.toml");
            if beside.is_file() {
                config.rank.themes = absolutize(&base, &beside);
            }
        } else {
            config.rank.themes = absolutize(&base, &config.rank.themes);
        }
        Ok(config)
    }

    /// Parses a config from TOML text (no environment), for tests and tools.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let value: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        Self::from_table(value, origin)
    }

    fn from_table(value: toml::Table, origin: &str) -> Result<Config, ConfigError> {
        let config: Config =
            Config::deserialize(toml::Value::Table(value)).map_err(|e| ConfigError::Parse {
                origin: origin.to_string(),
                message: e.to_string(),
            })?;
        config.validate(origin)?;
        Ok(config)
    }

    fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: &str| ConfigError::Invalid {
            origin: origin.to_string(),
            key: key.to_string(),
            reason: reason.to_string(),
        };
        if self.fetch.user_agent.trim().is_empty() {
            return Err(invalid("fetch.user_agent", "must not be empty"));
        }
        if !(1..=600).contains(&self.fetch.timeout_secs) {
            return Err(invalid("fetch.timeout_secs", "must be between 1 and 600"));
        }
        if !(1..=120).contains(&self.fetch.connect_timeout_secs) {
            return Err(invalid(
                "fetch.connect_timeout_secs",
                "must be between 1 and 120",
            ));
        }
        if self.fetch.max_body_bytes < 1024 {
            return Err(invalid("fetch.max_body_bytes", "must be at least 1024"));
        }
        if self.fetch.max_redirects > 20 {
            return Err(invalid("fetch.max_redirects", "must be at most 20"));
        }
        if !(1..=256).contains(&self.fetch.concurrency) {
            return Err(invalid("fetch.concurrency", "must be between 1 and 256"));
        }
        if !(1..=600).contains(&self.fetch.read_timeout_secs) {
            return Err(invalid(
                "fetch.read_timeout_secs",
                "must be between 1 and 600",
            ));
        }
        if self.fetch.retries > 10 {
            return Err(invalid("fetch.retries", "must be at most 10"));
        }
        if self.fetch.retry_base_ms > 600_000 {
            return Err(invalid("fetch.retry_base_ms", "must be at most 600000"));
        }
        if !(1..=7 * 86_400).contains(&self.fetch.max_retry_after_secs) {
            return Err(invalid(
                "fetch.max_retry_after_secs",
                "must be between 1 and 604800",
            ));
        }
        if !(1..=64).contains(&self.fetch.per_host_concurrency) {
            return Err(invalid(
                "fetch.per_host_concurrency",
                "must be between 1 and 64",
            ));
        }
        if self.fetch.per_host_delay_ms > 600_000 {
            return Err(invalid("fetch.per_host_delay_ms", "must be at most 600000"));
        }
        for n in &self.fetch.allow_networks {
            crate::fetch::ssrf::parse_net(n).map_err(|e| invalid("fetch.allow_networks", &e))?;
        }
        if self.schedule.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(invalid(
                "schedule.timezone",
                &format!(
                    "{:?} is not an IANA time zone (e.g. \"Europe/Amsterdam\")",
                    self.schedule.timezone
                ),
            ));
        }
        crate::schedule::parse_cron(&self.schedule.default)
            .map_err(|e| invalid("schedule.default", &e))?;
        for (tag, expr) in &self.schedule.tags {
            crate::schedule::parse_cron(expr)
                .map_err(|e| invalid(&format!("schedule.tags.{tag}"), &e))?;
        }
        if self.schedule.min_interval_mins == 0 {
            return Err(invalid("schedule.min_interval_mins", "must be at least 1"));
        }
        if self.schedule.max_interval_mins < self.schedule.min_interval_mins {
            return Err(invalid(
                "schedule.max_interval_mins",
                "must be at least schedule.min_interval_mins",
            ));
        }
        if !(1..=3600).contains(&self.run.shutdown_grace_secs) {
            return Err(invalid(
                "run.shutdown_grace_secs",
                "must be between 1 and 3600",
            ));
        }
        if !(1..=3600).contains(&self.run.tick_secs) {
            return Err(invalid("run.tick_secs", "must be between 1 and 3600"));
        }
        if !(15..=4096).contains(&self.index.writer_memory_mb) {
            return Err(invalid(
                "index.writer_memory_mb",
                "must be between 15 and 4096",
            ));
        }
        if !(0.0..=100.0).contains(&self.rank.min_score) {
            return Err(invalid("rank.min_score", "must be between 0 and 100"));
        }
        if !(1..=100_000).contains(&self.extract.max_per_run) {
            return Err(invalid(
                "extract.max_per_run",
                "must be between 1 and 100000",
            ));
        }
        if !(1..=5000).contains(&self.extract.min_words) {
            return Err(invalid("extract.min_words", "must be between 1 and 5000"));
        }
        crate::schedule::parse_cron(&self.digest.schedule)
            .map_err(|e| invalid("digest.schedule", &e))?;
        if self.digest.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(invalid(
                "digest.timezone",
                &format!(
                    "{:?} is not an IANA time zone (e.g. \"Europe/Amsterdam\")",
                    self.digest.timezone
                ),
            ));
        }
        if !(0.0..=100.0).contains(&self.digest.min_score) {
            return Err(invalid("digest.min_score", "must be between 0 and 100"));
        }
        if !(1..=100).contains(&self.digest.per_theme) {
            return Err(invalid("digest.per_theme", "must be between 1 and 100"));
        }
        if self.digest.title.trim().is_empty() {
            return Err(invalid("digest.title", "must not be empty"));
        }
        if !(1..=365).contains(&self.digest.first_days) {
            return Err(invalid("digest.first_days", "must be between 1 and 365"));
        }
        if !["starttls", "tls", "none"].contains(&self.email.security.as_str()) {
            return Err(invalid(
                "email.security",
                "must be \"starttls\", \"tls\" or \"none\"",
            ));
        }
        if self.email.port == 0 {
            return Err(invalid("email.port", "must be between 1 and 65535"));
        }
        if self.email.retries > 10 {
            return Err(invalid("email.retries", "must be at most 10"));
        }
        if self.email.retry_delay_secs > 3600 {
            return Err(invalid("email.retry_delay_secs", "must be at most 3600"));
        }
        if !(1..=600).contains(&self.email.timeout_secs) {
            return Err(invalid("email.timeout_secs", "must be between 1 and 600"));
        }
        for (i, to) in self.email.to.iter().enumerate() {
            if to.parse::<lettre::message::Mailbox>().is_err() {
                return Err(invalid(
                    &format!("email.to[{i}]"),
                    &format!("{to:?} is not an e-mail address"),
                ));
            }
        }
        if !self.email.from.is_empty()
            && self.email.from.parse::<lettre::message::Mailbox>().is_err()
        {
            return Err(invalid(
                "email.from",
                &format!("{:?} is not an e-mail address", self.email.from),
            ));
        }
        if !self.email.host.is_empty() && (self.email.from.is_empty() || self.email.to.is_empty()) {
            return Err(invalid(
                "email.host",
                "is set, so email.from and email.to must be set too",
            ));
        }
        if self.web.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(invalid(
                "web.bind",
                "must be an IP address with a port, e.g. 127.0.0.1:8080",
            ));
        }
        if !(1..=24 * 90).contains(&self.web.session_hours) {
            return Err(invalid("web.session_hours", "must be between 1 and 2160"));
        }
        if !(1..=1_000_000).contains(&self.web.max_matches) {
            return Err(invalid("web.max_matches", "must be between 1 and 1000000"));
        }
        if !(1..=200).contains(&self.web.page_size) {
            return Err(invalid("web.page_size", "must be between 1 and 200"));
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "must not be empty"));
        }
        Ok(())
    }

    /// The config keys as `RADAR_*` variable names, e.g.
    /// `RADAR_FETCH_TIMEOUT_SECS` for `fetch.timeout_secs`.
    pub fn env_names() -> Vec<(String, Vec<String>)> {
        let defaults = toml::Table::try_from(Config::default()).expect("defaults serialize");
        let mut out = Vec::new();
        collect_paths(&defaults, &mut Vec::new(), &mut out);
        out
    }
}

fn collect_paths(
    table: &toml::Table,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>)>,
) {
    for (k, v) in table {
        prefix.push(k.clone());
        match v {
            toml::Value::Table(t) => collect_paths(t, prefix, out),
            _ => out.push((
                format!("RADAR_{}", prefix.join("_").to_uppercase()),
                prefix.clone(),
            )),
        }
        prefix.pop();
    }
}

/// Applies `RADAR_<SECTION>_<KEY>` variables. The value is read as a TOML
/// value when it parses as one of the key's type, else as a string, so
/// `RADAR_FETCH_TIMEOUT_SECS=5` and `RADAR_DATA_DIR=/var/lib/radar` both work.
fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let names = Config::env_names();
    for (name, raw) in env {
        // Secrets (`radar user add`'s RADAR_PASSWORD, a mailbox's
        // password_env such as RADAR_IMAP_PASSWORD) are never config keys.
        if !name.starts_with("RADAR_")
            || NON_KEY_ENV.contains(&name.as_str())
            || name.ends_with("_PASSWORD")
        {
            continue;
        }
        let Some((_, path)) = names.iter().find(|(n, _)| *n == name) else {
            tracing::warn!(variable = %name, "ignoring RADAR_* environment variable that names no config key");
            continue;
        };
        let value = match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
            Ok(mut t) => t.remove("v").unwrap_or(toml::Value::String(raw.clone())),
            Err(_) => toml::Value::String(raw.clone()),
        };
        let mut cursor = &mut *table;
        for part in &path[..path.len() - 1] {
            let entry = cursor
                .entry(part.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            cursor = match entry {
                toml::Value::Table(t) => t,
                _ => {
                    return Err(ConfigError::Invalid {
                        origin: name.clone(),
                        key: path.join("."),
                        reason: format!("`{part}` is not a table in the config file"),
                    });
                }
            };
        }
        cursor.insert(path[path.len() - 1].clone(), value);
        // Check now so the error names the variable, not "(environment)".
        Config::from_table(table.clone(), &name)?;
    }
    Ok(())
}

fn absolutize(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        let joined = base.join(p);
        std::path::absolute(&joined).unwrap_or(joined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env() -> Vec<(String, String)> {
        Vec::new()
    }

    #[test]
    fn digest_and_email_keys_are_checked() {
        let bad = |text: &str, key: &str| {
            let err = Config::from_toml_str(text, "t.toml")
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{text}: {err}");
        };
        bad("[digest]\nschedule = \"7 uur\"\n", "digest.schedule");
        bad(
            "[digest]\nschedule = \"0 25 * * Mon-Fri\"\n",
            "digest.schedule",
        );
        bad("[digest]\nschedule = \"0 7 * * 1-5\"\n", "day names");
        bad("[digest]\nper_theme = 0\n", "digest.per_theme");
        bad("[digest]\ntimezone = \"Amsterdam\"\n", "digest.timezone");
        bad("[email]\nsecurity = \"ssl\"\n", "email.security");
        bad("[email]\nto = [\"geen adres\"]\n", "email.to[0]");
        bad("[email]\nhost = \"smtp.example.nl\"\n", "email.host");
        let names = Config::from_toml_str(
            "[digest]\nschedule = \"0 30 6,12 * Jan-Jun mon,WED\"\n",
            "t.toml",
        );
        assert!(names.is_ok(), "{names:?}");
        let c = Config::from_toml_str(
            "[digest]\nschedule = \"*/15 6-18 * * Mon-Fri\"\n[email]\nhost = \"smtp.example.nl\"\nfrom = \"Radar <radar@example.nl>\"\nto = [\"a@example.nl\"]\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(c.email.port, 587);
        assert_eq!(c.digest.schedule, "*/15 6-18 * * Mon-Fri");
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml_str("[fetch]\ntimeout_sec = 5\n", "t.toml").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("timeout_sec"), "{msg}");
        assert!(msg.contains("t.toml"), "{msg}");
    }

    #[test]
    fn bad_value_is_named() {
        let err = Config::from_toml_str("[fetch]\nconcurrency = 0\n", "t.toml").unwrap_err();
        assert!(err.to_string().contains("fetch.concurrency"), "{err}");
        let err =
            Config::from_toml_str("[fetch]\ntimeout_secs = \"soon\"\n", "t.toml").unwrap_err();
        assert!(err.to_string().contains("timeout_secs"), "{err}");
    }

    #[test]
    fn env_overrides_file_and_is_validated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[fetch]\ntimeout_secs = 20\n").unwrap();
        let env = vec![("RADAR_FETCH_TIMEOUT_SECS".to_string(), "7".to_string())];
        let c = Config::load(Some(&path), env).unwrap();
        assert_eq!(c.fetch.timeout_secs, 7);
        let env = vec![("RADAR_FETCH_CONCURRENCY".to_string(), "0".to_string())];
        let err = Config::load(Some(&path), env).unwrap_err().to_string();
        assert!(err.contains("RADAR_FETCH_CONCURRENCY"), "{err}");
        let env = vec![("RADAR_DATA_DIR".to_string(), "/var/lib/radar".to_string())];
        let c = Config::load(Some(&path), env).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/var/lib/radar"));
    }

    #[test]
    fn bad_networks_and_schedules_are_named() {
        let err = Config::from_toml_str("[fetch]\nallow_networks = [\"10.0.0.0/33\"]\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("fetch.allow_networks") && err.contains("10.0.0.0/33"),
            "{err}"
        );
        let err = Config::from_toml_str(
            "[schedule]\ntags = { nieuws = \"every minute\" }\n",
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("schedule.tags.nieuws"), "{err}");
        let err = Config::from_toml_str("[schedule]\ntimezone = \"Mars/Olympus\"\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("schedule.timezone"), "{err}");
        let c = Config::from_toml_str(
            "[fetch]\nallow_networks = [\"127.0.0.1/32\", \"::1\"]\n[schedule]\ndefault = \"*/10 * * * *\"\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(c.fetch.allow_networks.len(), 2);
    }

    #[test]
    fn relative_paths_resolve_against_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "data_dir = \"state\"\n").unwrap();
        let c = Config::load(Some(&path), no_env()).unwrap();
        assert_eq!(c.data_dir, dir.path().join("state"));
        assert_eq!(c.sources.dir, dir.path().join("feeds"));
    }
}
