//! Newsletter mailboxes (`kind = "mailbox"`, `path` = a folder): `.eml`
//! files, mbox files and Maildir (`cur/` and `new/`) in the folder are read
//! with mail-parser (MIME, quoted-printable, base64, charsets), each
//! message is split into stories ([`super::newsletter`]), and each story
//! becomes an item linked to its issue: its guid is
//! `<message-id>#<n>`, its date the message's date, its author the sender.
//! A message is processed once: its key (`msg:<message-id>`, or a hash of
//! the raw bytes when it has none) is remembered with the subject and the
//! number of stories.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, PartType};
use sha2::{Digest, Sha256};

use super::newsletter::{self, Story};
use super::{Known, Outcome};
use crate::extract::ArticleDraft;
use crate::fetch::ErrorKind;
use crate::sources::{Location, Source};
use crate::store::IntakeMark;

/// Largest single message read (bigger ones are skipped with a warning).
pub const MAX_MESSAGE_BYTES: u64 = 25 * 1024 * 1024;
/// Largest mbox file read.
pub const MAX_MBOX_BYTES: u64 = 512 * 1024 * 1024;
/// Most files looked at in one folder.
const MAX_FILES: usize = 50_000;

/// One newsletter issue, parsed.
#[derive(Debug, Clone)]
pub struct Issue {
    /// `msg:<message-id>` or `sha:<hash>`.
    pub key: String,
    /// Message-ID without brackets, when present.
    pub message_id: Option<String>,
    /// Subject.
    pub subject: String,
    /// Sender name (or address).
    pub from: Option<String>,
    /// Date header.
    pub date: Option<DateTime<Utc>>,
    /// The stories.
    pub stories: Vec<Story>,
    /// The whole text, for a letter without story blocks (one essay, or
    /// stories without links of their own) that has enough of it; it then
    /// becomes one item, so nothing that arrived is lost.
    pub whole: Option<String>,
}

/// The key a raw message is remembered by, without parsing all of it.
fn key_of(msg: &mail_parser::Message, raw: &[u8]) -> String {
    match msg.message_id().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => format!("msg:{id}"),
        None => {
            let d = Sha256::digest(raw);
            format!(
                "sha:{}",
                d.iter()
                    .take(16)
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            )
        }
    }
}

/// Parses one raw message into an issue with its stories; `None` when it
/// is not a parseable message.
pub fn parse_issue(raw: &[u8]) -> Option<Issue> {
    let msg = MessageParser::default().parse(raw)?;
    let html = msg.html_part(0).and_then(|p| match &p.body {
        PartType::Html(h) => Some(h.to_string()),
        _ => None,
    });
    let stories = match &html {
        Some(h) => newsletter::split_html(h),
        None => msg
            .body_text(0)
            .map(|t| newsletter::split_text(&t))
            .unwrap_or_default(),
    };
    let whole = if stories.is_empty() {
        let plain = msg.body_text(0);
        Some(newsletter::whole_text(html.as_deref(), plain.as_deref()))
            .filter(|t| t.split_whitespace().count() >= newsletter::MIN_WHOLE_WORDS)
    } else {
        None
    };
    let from = msg.from().and_then(|a| a.first()).and_then(|a| {
        a.name()
            .or(a.address())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    });
    Some(Issue {
        key: key_of(&msg, raw),
        message_id: msg.message_id().map(|s| s.trim().to_string()),
        subject: msg.subject().unwrap_or("").trim().to_string(),
        from,
        date: msg
            .date()
            .and_then(|d| DateTime::<Utc>::from_timestamp(d.to_timestamp(), 0)),
        stories,
        whole,
    })
}

/// The drafts of one issue: one per story, or one for the whole letter
/// when it has no stories but enough text (guid `<message-id>#0`, no URL).
pub fn drafts(issue: &Issue) -> Vec<ArticleDraft> {
    let id = issue
        .message_id
        .clone()
        .unwrap_or_else(|| issue.key.clone());
    if let Some(text) = &issue.whole {
        let title = if issue.subject.is_empty() {
            text.split_whitespace()
                .take(12)
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            issue.subject.clone()
        };
        return vec![ArticleDraft::new(
            Some(format!("{id}#0")),
            None,
            &title,
            issue.from.clone(),
            issue.date,
            None,
            text.clone(),
        )];
    }
    issue
        .stories
        .iter()
        .enumerate()
        .map(|(n, s)| {
            ArticleDraft::new(
                Some(format!("{id}#{}", n + 1)),
                Some(s.url.clone()),
                &s.title,
                issue.from.clone(),
                issue.date,
                Some(s.text.clone()).filter(|t| !t.is_empty()),
                if s.text.is_empty() {
                    s.title.clone()
                } else {
                    s.text.clone()
                },
            )
        })
        .collect()
}

/// What a file in the mailbox folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Message,
    Mbox,
}

fn sniff(path: &Path) -> Option<FileKind> {
    use std::io::Read;
    let mut head = [0u8; 5];
    let mut f = std::fs::File::open(path).ok()?;
    let n = f.read(&mut head).ok()?;
    if &head[..n] == b"From " {
        return Some(FileKind::Mbox);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "eml" | "msg" | "txt" | "" => Some(FileKind::Message),
        "mbox" | "mbx" => Some(FileKind::Mbox),
        _ => None,
    }
}

/// The files to read: `*.eml`, mbox files and other message files directly
/// in the folder, and the files in its Maildir `cur/` and `new/` (never
/// `tmp/`, where mail is still being delivered). Hidden files are skipped.
fn files(dir: &Path) -> std::io::Result<Vec<(PathBuf, FileKind)>> {
    let mut out = Vec::new();
    let mut list = |d: &Path, maildir: bool| -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(d)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .filter(|p| {
                !p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
            })
            .collect();
        entries.sort();
        for p in entries.into_iter().take(MAX_FILES) {
            let kind = if maildir {
                Some(FileKind::Message)
            } else {
                sniff(&p)
            };
            if let Some(k) = kind {
                out.push((p, k));
            }
        }
        Ok(())
    };
    list(dir, false)?;
    for sub in ["cur", "new"] {
        let d = dir.join(sub);
        if d.is_dir() {
            list(&d, true)?;
        }
    }
    Ok(out)
}

/// Processes one raw message unless its key was seen.
pub(super) fn take(
    raw: &[u8],
    place: &str,
    seen: &mut HashSet<String>,
    out: &mut Outcome,
    problems: &mut Vec<String>,
) {
    // Headers only first: a message seen before costs no MIME parse.
    let Some(key) = MessageParser::default()
        .parse_headers(raw)
        .map(|m| key_of(&m, raw))
    else {
        problems.push(format!("{place}: not a readable e-mail message"));
        return;
    };
    if seen.contains(&key) {
        return;
    }
    let Some(issue) = parse_issue(raw) else {
        problems.push(format!("{place}: not a readable e-mail message"));
        return;
    };
    seen.insert(issue.key.clone());
    tracing::debug!(
        %place,
        subject = %issue.subject,
        stories = issue.stories.len(),
        whole = issue.whole.is_some(),
        "newsletter read"
    );
    out.drafts.extend(drafts(&issue));
    out.marks.push(IntakeMark {
        key: issue.key.clone(),
        outcome: "ok".into(),
        // The subject: what `radar show` names as the issue of a story.
        detail: Some(issue.subject.clone()),
    });
}

/// One pass over a mailbox folder (blocking I/O).
pub(super) fn refresh(source: &Source, known: &Known) -> Outcome {
    let dir = match &source.location {
        Location::File(p) => p.clone(),
        other => {
            return Outcome::failed(
                ErrorKind::Other,
                format!("a mailbox is a folder, not {}", other.display()),
                None,
            );
        }
    };
    let files = match files(&dir) {
        Ok(f) => f,
        Err(e) => {
            return Outcome::failed(
                ErrorKind::Io,
                format!("cannot read mailbox folder {}: {e}", dir.display()),
                None,
            );
        }
    };
    let mut out = Outcome::default();
    let mut seen: HashSet<String> = known.seen.clone();
    let mut problems = Vec::new();
    for (path, kind) in files {
        let place = path.display().to_string();
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        match kind {
            FileKind::Message => {
                if size > MAX_MESSAGE_BYTES {
                    problems.push(format!("{place}: {size} bytes, over the message cap"));
                    continue;
                }
                match std::fs::read(&path) {
                    Ok(raw) => take(&raw, &place, &mut seen, &mut out, &mut problems),
                    Err(e) => problems.push(format!("{place}: {e}")),
                }
            }
            FileKind::Mbox => {
                if size > MAX_MBOX_BYTES {
                    problems.push(format!("{place}: {size} bytes, over the mbox cap"));
                    continue;
                }
                let f = match std::fs::File::open(&path) {
                    Ok(f) => f,
                    Err(e) => {
                        problems.push(format!("{place}: {e}"));
                        continue;
                    }
                };
                let iter =
                    mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(f));
                for (n, m) in iter.enumerate() {
                    match m {
                        Ok(m) if (m.contents().len() as u64) <= MAX_MESSAGE_BYTES => {
                            let place = format!("{place} #{}", n + 1);
                            take(m.contents(), &place, &mut seen, &mut out, &mut problems)
                        }
                        Ok(_) => problems.push(format!("{place} #{}: over the message cap", n + 1)),
                        Err(e) => {
                            problems.push(format!("{place} #{}: {e}", n + 1));
                            break;
                        }
                    }
                }
            }
        }
    }
    finish(out, &problems, &source.id)
}

/// Logs the problems of a pass; a pass that read nothing but problems is a
/// failure, one that read nothing new is "unchanged".
pub(super) fn finish(mut out: Outcome, problems: &[String], source: &str) -> Outcome {
    for p in problems {
        tracing::warn!(%source, "{p}");
    }
    if out.drafts.is_empty() && out.marks.is_empty() && !problems.is_empty() {
        out.error = Some((
            ErrorKind::Parse,
            format!("{} unreadable; first: {}", problems.len(), problems[0]),
        ));
    }
    if out.marks.is_empty() && out.error.is_none() {
        out.quiet = Some("unchanged");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "From: Zorgnieuws <nieuws@zorg.nl>\r\nTo: radar@example.nl\r\nSubject: =?utf-8?q?Nieuwsbrief_week_12_=E2=80=93_zorg?=\r\nDate: Tue, 18 Mar 2025 08:00:00 +0100\r\nMessage-ID: <abc123@zorg.nl>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<html><body><div><h2>Zorgcoöperatie in Brabant breidt uit</h2><p>De co=F6peratie van =\r\nzeven thuiszorgorganisaties deelt nu ook personeel over de grenzen heen.</p><a href=3D\"https://zorg.nl/brabant\">Lees meer</a></div>\r\n<div><a href=3D\"https://zorg.nl/afmelden?u=3D1\">Afmelden</a></div></body></html>\r\n";

    #[test]
    fn a_message_becomes_stories_linked_to_its_issue() {
        let issue = parse_issue(MAIL.as_bytes()).unwrap();
        assert_eq!(issue.key, "msg:abc123@zorg.nl");
        assert_eq!(issue.subject, "Nieuwsbrief week 12 – zorg");
        assert_eq!(issue.from.as_deref(), Some("Zorgnieuws"));
        assert_eq!(issue.stories.len(), 1);
        let d = drafts(&issue);
        assert_eq!(d[0].guid.as_deref(), Some("abc123@zorg.nl#1"));
        assert_eq!(d[0].url.as_deref(), Some("https://zorg.nl/brabant"));
        assert!(d[0].text.contains("coöperatie van zeven"), "{}", d[0].text);
        assert_eq!(
            d[0].published.unwrap().to_rfc3339(),
            "2025-03-18T07:00:00+00:00"
        );
    }

    #[test]
    fn a_letter_without_story_links_becomes_one_item() {
        let essay = "Beste lezer,\n\nDeze maand sprak ik met drie wijkverpleegkundigen over hun werk. \
            Ze vertelden hoe ze samen met de huisarts en het sociaal wijkteam een vaste overleggroep \
            hebben opgezet, en hoe dat hun werkdruk verlaagde. Iedere dinsdag bespreken ze de cliënten \
            die extra aandacht nodig hebben. Inmiddels doen vier andere wijken in de regio mee.\n\n\
            Hartelijke groet,\nAnnemiek\n\nAfmelden: https://nb.nl/afmelden?u=9\n";
        let raw = format!(
            "From: Annemiek <a@nb.nl>\r\nSubject: Column maart\r\nMessage-ID: <col-3@nb.nl>\r\n\
             Date: Mon, 3 Mar 2025 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{essay}"
        );
        let issue = parse_issue(raw.as_bytes()).unwrap();
        assert!(issue.stories.is_empty());
        let d = drafts(&issue);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].title, "Column maart");
        assert_eq!(d[0].guid.as_deref(), Some("col-3@nb.nl#0"));
        assert_eq!(d[0].url, None);
        assert!(d[0].text.contains("vaste overleggroep"), "{}", d[0].text);
        assert!(!d[0].text.contains("Afmelden"), "{}", d[0].text);

        // A short mail without stories is not an item.
        let short = raw.replace(essay, "Tot volgende week!\n");
        assert!(drafts(&parse_issue(short.as_bytes()).unwrap()).is_empty());
    }

    #[test]
    fn eml_mbox_and_maildir_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let other = MAIL
            .replace("abc123", "def456")
            .replace("zorg.nl/brabant", "zorg.nl/limburg");
        let third = MAIL
            .replace("abc123", "ghi789")
            .replace("zorg.nl/brabant", "zorg.nl/utrecht");
        std::fs::write(dir.path().join("a.eml"), MAIL).unwrap();
        std::fs::write(
            dir.path().join("archief"),
            format!("From nieuws@zorg.nl Tue Mar 18 08:00:00 2025\n{other}\nFrom x@y Tue Mar 18 08:00:00 2025\n{MAIL}"),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("new")).unwrap();
        std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
        std::fs::write(dir.path().join("new/1700000000.x.host"), &third).unwrap();
        std::fs::write(
            dir.path().join("tmp/1700000001.y.host"),
            MAIL.replace("abc123", "tmp"),
        )
        .unwrap();
        let source = Source {
            id: "nb".into(),
            name: "NB".into(),
            location: Location::File(dir.path().to_path_buf()),
            kind: crate::sources::SourceKind::Mailbox,
            page: None,
            rules: Default::default(),
            tags: vec![],
            enabled: true,
            full_text: None,
            schedule: None,
            origin: PathBuf::new(),
        };
        let out = refresh(&source, &Known::default());
        let mut urls: Vec<String> = out.drafts.iter().filter_map(|d| d.url.clone()).collect();
        urls.sort();
        assert_eq!(
            urls,
            vec![
                "https://zorg.nl/brabant",
                "https://zorg.nl/limburg",
                "https://zorg.nl/utrecht"
            ]
        );
        assert_eq!(out.marks.len(), 3);
        let known = Known {
            seen: out.marks.iter().map(|m| m.key.clone()).collect(),
            ..Known::default()
        };
        let again = refresh(&source, &known);
        assert!(again.drafts.is_empty() && again.marks.is_empty());
        assert_eq!(again.quiet, Some("unchanged"));
    }
}
