//! Newsletters from an IMAP folder (`kind = "mailbox"`,
//! `url = "imaps://user@host/Folder"`, `password_env = "NAME"`).
//!
//! The folder is opened read-only (EXAMINE), so radar never marks the
//! advisors' mail as read or changes it. Each pass asks for the UIDs of
//! messages that arrived within `since_days` and downloads only the ones
//! not seen before (remembered as `imap:<uidvalidity>:<uid>`, next to the
//! message's own `msg:<message-id>` key, so a folder that is rebuilt with
//! new UIDs does not store a letter twice). Messages go through the same
//! reader as mail folders on disk ([`super::mailbox`]). The server's
//! address is checked against `fetch.allow_networks` like every fetch;
//! TLS uses the same rustls stack and root certificates as HTTPS.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::{Known, Outcome, mailbox};
use crate::fetch::ErrorKind;
use crate::fetch::ssrf::{GuardedResolver, Policy};
use crate::store::IntakeMark;

/// Most messages downloaded in one pass (the newest first); the rest come
/// on the next pass.
pub const MAX_PER_PASS: usize = 200;
/// Messages fetched per request.
const BATCH: usize = 20;
/// Deadline for connecting and for each step after it.
const STEP: Duration = Duration::from_secs(60);

/// Where and how to read one IMAP folder.
#[derive(Debug, Clone)]
pub struct Folder {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub folder: String,
    /// Shown in messages: `imaps://user@host/Folder`.
    pub display: String,
}

impl Folder {
    /// From a validated `imap(s)://` URL (see `sources::imap_location`).
    pub fn from_url(url: &url::Url) -> Result<Folder, String> {
        let tls = url.scheme() == "imaps";
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err("the URL has no host".into()),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| format!("{s:?} is not UTF-8 after percent-decoding"))
        };
        let user = decode(url.username())?;
        let folder = decode(url.path().trim_start_matches('/'))?;
        Ok(Folder {
            tls,
            host,
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            user,
            folder: if folder.is_empty() {
                "INBOX".into()
            } else {
                folder
            },
            display: url.to_string(),
        })
    }
}

/// A UID set for FETCH: `13,12,11`.
fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// IMAP's date format for SEARCH SINCE: `1-Feb-2026`.
fn imap_date(d: chrono::NaiveDate) -> String {
    d.format("%-d-%b-%Y").to_string()
}

/// A failed step, with the kind for source health.
struct Failure(ErrorKind, String);

async fn step<T, E: std::fmt::Display>(
    what: &str,
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(STEP, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure(ErrorKind::Connect, format!("{what}: {e}"))),
        Err(_) => Err(Failure(
            ErrorKind::Timeout,
            format!("{what}: no answer within {} s", STEP.as_secs()),
        )),
    }
}

/// One pass over an IMAP folder.
pub(super) async fn refresh(
    folder: &Folder,
    password_env: &str,
    policy: &Policy,
    since_days: u32,
    known: &Known,
) -> Outcome {
    let Some(password) = std::env::var(password_env).ok().filter(|p| !p.is_empty()) else {
        return Outcome::failed(
            ErrorKind::Other,
            format!(
                "environment variable {password_env} (password_env of {}) is not set",
                folder.display
            ),
            None,
        );
    };
    let resolver = GuardedResolver::new(Arc::new(policy.clone()));
    let addrs = match resolver.allowed(&folder.host).await {
        Ok(a) => a,
        Err(e) => return Outcome::failed(ErrorKind::Blocked, e, None),
    };
    let tcp = match connect(&addrs, folder.port).await {
        Ok(t) => t,
        Err(Failure(k, m)) => return Outcome::failed(k, m, None),
    };
    let result = if folder.tls {
        let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config()));
        let name = match tokio_rustls::rustls::pki_types::ServerName::try_from(folder.host.clone())
        {
            Ok(n) => n,
            Err(e) => {
                return Outcome::failed(ErrorKind::Other, format!("{}: {e}", folder.host), None);
            }
        };
        match step("TLS handshake", connector.connect(name, tcp)).await {
            Ok(tls) => session(tls, folder, &password, since_days, known).await,
            Err(Failure(ErrorKind::Connect, m)) => Err(Failure(ErrorKind::Tls, m)),
            Err(f) => Err(f),
        }
    } else {
        session(tcp, folder, &password, since_days, known).await
    };
    match result {
        Ok(out) => out,
        Err(Failure(k, m)) => Outcome::failed(k, m, None),
    }
}

fn tls_config() -> tokio_rustls::rustls::ClientConfig {
    let roots = tokio_rustls::rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth()
}

async fn connect(addrs: &[std::net::IpAddr], port: u16) -> Result<TcpStream, Failure> {
    let mut last = String::from("no address");
    for ip in addrs {
        let addr = SocketAddr::new(*ip, port);
        match step(&format!("connect to {addr}"), TcpStream::connect(addr)).await {
            Ok(s) => return Ok(s),
            Err(Failure(_, m)) => last = m,
        }
    }
    Err(Failure(ErrorKind::Connect, last))
}

/// `UID FETCH` of `uids` with `items`, every answer collected, within one
/// step's deadline.
async fn fetch_all<S>(
    session: &mut async_imap::Session<S>,
    what: &str,
    uids: &[u32],
    items: &str,
) -> Result<Vec<async_imap::types::Fetch>, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    step(what, async {
        session
            .uid_fetch(uid_set(uids), items)
            .await?
            .try_collect()
            .await
    })
    .await
}

async fn session<S>(
    stream: S,
    folder: &Folder,
    password: &str,
    since_days: u32,
    known: &Known,
) -> Result<Outcome, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    match step("greeting", async { client.read_response().await }).await? {
        Some(_) => {}
        None => {
            return Err(Failure(
                ErrorKind::Connect,
                "the server closed the connection before its greeting".into(),
            ));
        }
    }
    let mut session = match tokio::time::timeout(STEP, client.login(&folder.user, password)).await {
        Ok(Ok(s)) => s,
        Ok(Err((e, _))) => {
            return Err(Failure(
                ErrorKind::Other,
                format!("log-in as {} refused: {e}", folder.user),
            ));
        }
        Err(_) => {
            return Err(Failure(
                ErrorKind::Timeout,
                "log-in: no answer in time".into(),
            ));
        }
    };
    let mailbox = step(
        &format!("open folder {:?}", folder.folder),
        session.examine(&folder.folder),
    )
    .await?;
    let validity = mailbox.uid_validity.unwrap_or(0);
    let since = chrono::Utc::now().date_naive() - chrono::Days::new(since_days.into());
    let uids = step(
        "search",
        session.uid_search(format!("SINCE {}", imap_date(since))),
    )
    .await?;
    let mark = |uid: u32| format!("imap:{validity}:{uid}");
    let mut new: Vec<u32> = uids
        .into_iter()
        .filter(|u| !known.seen.contains(&mark(*u)))
        .collect();
    // Newest first, so a large backlog starts with what matters now.
    new.sort_unstable_by(|a, b| b.cmp(a));
    let skipped = new.len().saturating_sub(MAX_PER_PASS);
    new.truncate(MAX_PER_PASS);

    let mut out = Outcome::default();
    let mut seen: HashSet<String> = known.seen.clone();
    let mut problems = Vec::new();

    // Sizes first: a message over the cap is never downloaded.
    let mut wanted = Vec::with_capacity(new.len());
    for chunk in new.chunks(BATCH * 10) {
        let sizes = fetch_all(&mut session, "sizes", chunk, "(UID RFC822.SIZE)").await?;
        for f in sizes {
            let Some(uid) = f.uid else { continue };
            match f.size {
                Some(n) if u64::from(n) > mailbox::MAX_MESSAGE_BYTES => {
                    problems.push(format!(
                        "{} UID {uid}: {n} bytes, over the message cap; skipped",
                        folder.display
                    ));
                    out.marks.push(IntakeMark {
                        key: mark(uid),
                        outcome: "too_large".into(),
                        detail: Some(format!("{n} bytes")),
                    });
                }
                _ => wanted.push(uid),
            }
        }
    }
    wanted.sort_unstable_by(|a, b| b.cmp(a));
    for chunk in wanted.chunks(BATCH) {
        let fetches = fetch_all(
            &mut session,
            "download",
            chunk,
            "(UID RFC822.SIZE BODY.PEEK[])",
        )
        .await?;
        for f in fetches {
            let Some(uid) = f.uid else { continue };
            let place = format!("{} UID {uid}", folder.display);
            match f.body() {
                Some(raw) if raw.len() as u64 <= mailbox::MAX_MESSAGE_BYTES => {
                    mailbox::take(raw, &place, &mut seen, &mut out, &mut problems);
                }
                Some(raw) => problems.push(format!(
                    "{place}: {} bytes, over the message cap",
                    raw.len()
                )),
                None => problems.push(format!("{place}: the server sent no message body")),
            }
            out.marks.push(IntakeMark {
                key: mark(uid),
                outcome: "ok".into(),
                detail: None,
            });
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
    if skipped > 0 {
        tracing::info!(
            folder = %folder.display,
            skipped,
            "more new messages than one pass takes; the rest follow on the next pass"
        );
    }
    Ok(mailbox::finish(out, &problems, &folder.display))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_from_url() {
        let u = url::Url::parse(
            "imaps://radar%40zorg.nl@mail.zorg.nl/Nieuwsbrieven/Zorg%20en%20welzijn",
        )
        .unwrap();
        let f = Folder::from_url(&u).unwrap();
        assert!(f.tls);
        assert_eq!(f.port, 993);
        assert_eq!(f.user, "radar@zorg.nl");
        assert_eq!(f.folder, "Nieuwsbrieven/Zorg en welzijn");
        let f = Folder::from_url(&url::Url::parse("imap://a@127.0.0.1:1143").unwrap()).unwrap();
        assert!(!f.tls);
        assert_eq!((f.port, f.folder.as_str()), (1143, "INBOX"));
    }

    #[test]
    fn search_dates_use_imap_month_names() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 2, 3).unwrap();
        assert_eq!(imap_date(d), "3-Feb-2026");
    }
}
