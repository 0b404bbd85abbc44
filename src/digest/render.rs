//! Digest output formats. Feed content is untrusted: everything is escaped
//! for its format, and only http(s) links become links.
//!
//! HTML is written for e-mail clients: one table layout, inline styles, no
//! scripts, no external resources.

use std::fmt::Write;

use super::{Digest, Lead};

/// An output format of `radar digest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// HTML for e-mail clients.
    Html,
    /// Markdown.
    Md,
    /// Plain text.
    Text,
    /// JSON (the [`Digest`] as data).
    Json,
    /// Atom feed of the leads.
    Atom,
}

impl Format {
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Text => "txt",
            Format::Json => "json",
            Format::Atom => "atom",
        }
    }
}

/// Renders `d` in `format`.
pub fn render(d: &Digest, format: Format) -> String {
    match format {
        Format::Html => html(d),
        Format::Md => markdown(d),
        Format::Text => text(d),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(d).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Atom => atom(d),
    }
}

/// Escapes text for HTML and XML (content and attribute values).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The link when it is http(s) and has no characters that could break out
/// of its context.
fn safe_url(u: Option<&str>) -> Option<&str> {
    let u = u?.trim();
    let lower = u.to_ascii_lowercase();
    ((lower.starts_with("https://") || lower.starts_with("http://"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control()))
    .then_some(u)
}

fn period(d: &Digest) -> String {
    format!(
        "{} t/m {}",
        crate::nltime::date_time(d.window_start),
        crate::nltime::date_time(d.window_end)
    )
}

/// "ook in 2 andere media", "tip van Anna": the extras of a lead.
fn extras(l: &Lead) -> Vec<String> {
    let mut v = Vec::new();
    if l.also_in == 1 {
        v.push("ook in 1 ander medium".to_string());
    } else if l.also_in > 1 {
        v.push(format!("ook in {} andere media", l.also_in));
    }
    if let Some(t) = &l.tip_from {
        v.push(format!("tip van {t}"));
    }
    v
}

fn meta_line(l: &Lead) -> String {
    let mut parts = vec![
        l.source.clone(),
        crate::nltime::date(l.date),
        format!("score {:.0}", l.score),
    ];
    if !l.themes.is_empty() {
        // the strongest three; the rest is in `radar explain`
        parts.push(
            l.themes
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    parts.extend(extras(l));
    parts.join(" · ")
}

const EMPTY: &str = "Geen nieuwe leads in deze periode.";

fn footer_lines(d: &Digest) -> Vec<String> {
    let mut v = vec![format!(
        "Gelezen: {} artikelen · kandidaten: {} · getoond: {} (drempel {:.0})",
        d.counts.read, d.counts.candidates, d.counts.shown, d.min_score
    )];
    if !d.blind_spots.is_empty() {
        v.push(format!(
            "Blinde vlekken (thema's zonder leads): {}",
            d.blind_spots.join(", ")
        ));
    }
    if d.unhealthy_sources.is_empty() {
        v.push("Alle bronnen werkten.".into());
    } else {
        let list: Vec<String> = d
            .unhealthy_sources
            .iter()
            .map(|s| format!("{} ({}x mislukt: {})", s.name, s.failures, s.error))
            .collect();
        v.push(format!("Bronnen met problemen: {}", list.join("; ")));
    }
    v
}

fn html(d: &Digest) -> String {
    let mut s = String::new();
    let font = "font-family:Arial,Helvetica,sans-serif;";
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width\">\n<title>{}</title>\n</head>\n\
         <body style=\"margin:0;padding:0;background:#f4f4f4;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f4f4f4;\">\n\
         <tr><td align=\"center\" style=\"padding:16px;\">\n\
         <table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:640px;background:#ffffff;{font}color:#222222;\">\n",
        escape(&d.subject())
    );
    let _ = writeln!(
        s,
        "<tr><td style=\"padding:20px 24px 8px 24px;\"><h1 style=\"margin:0;font-size:22px;{font}\">{}</h1>\
         <p style=\"margin:4px 0 0 0;font-size:13px;color:#666666;\">{}</p></td></tr>",
        escape(&d.title),
        escape(&period(d))
    );
    if d.is_empty() {
        let _ = writeln!(
            s,
            "<tr><td style=\"padding:16px 24px;font-size:15px;\">{EMPTY}</td></tr>"
        );
    }
    for sec in &d.sections {
        let _ = writeln!(
            s,
            "<tr><td style=\"padding:16px 24px 4px 24px;\"><h2 style=\"margin:0;font-size:17px;color:#1a5276;{font}\">{}</h2></td></tr>",
            escape(&sec.label)
        );
        for l in &sec.leads {
            let title = match safe_url(l.url.as_deref()) {
                Some(u) => format!(
                    "<a href=\"{}\" style=\"color:#1a5276;text-decoration:underline;\">{}</a>",
                    escape(u),
                    escape(&l.title)
                ),
                None => escape(&l.title),
            };
            let _ = write!(
                s,
                "<tr><td style=\"padding:8px 24px;border-bottom:1px solid #eeeeee;\">\
                 <p style=\"margin:0;font-size:15px;font-weight:bold;\">{title}</p>\
                 <p style=\"margin:2px 0;font-size:12px;color:#666666;\">{} · #{}</p>",
                escape(&meta_line(l)),
                l.id
            );
            if !l.reason.is_empty() {
                let _ = write!(
                    s,
                    "<p style=\"margin:2px 0;font-size:14px;\">{}</p>",
                    escape(&l.reason)
                );
            }
            for f in &l.feedback {
                let _ = write!(
                    s,
                    "<p style=\"margin:2px 0;font-size:12px;color:#666666;\">Feedback: {}</p>",
                    escape(f)
                );
            }
            s.push_str("</td></tr>\n");
        }
        if sec.more > 0 {
            let _ = writeln!(
                s,
                "<tr><td style=\"padding:4px 24px;font-size:12px;color:#666666;\">En nog {} in dit thema (zie <code>radar candidates --theme {}</code>).</td></tr>",
                sec.more,
                escape(&sec.theme)
            );
        }
    }
    s.push_str("<tr><td style=\"padding:16px 24px 20px 24px;font-size:12px;color:#666666;border-top:1px solid #dddddd;\">\n");
    for line in footer_lines(d) {
        let _ = writeln!(s, "<p style=\"margin:2px 0;\">{}</p>", escape(&line));
    }
    s.push_str("</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n");
    s
}

/// Escapes Markdown syntax: inline markup everywhere, block markers at the
/// start.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        if "\\`*_[]<>|~".contains(c) || (i == 0 && "#+-=>".contains(c)) {
            out.push('\\');
        }
        if c.is_control() {
            out.push(' ');
            continue;
        }
        out.push(c);
    }
    out
}

fn markdown(d: &Digest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n\n_{}_\n", md_escape(&d.title), period(d));
    if d.is_empty() {
        let _ = writeln!(s, "{EMPTY}\n");
    }
    for sec in &d.sections {
        let _ = writeln!(s, "## {}\n", md_escape(&sec.label));
        for l in &sec.leads {
            match safe_url(l.url.as_deref()) {
                Some(u) => {
                    let _ = writeln!(
                        s,
                        "- **[{}](<{}>)**",
                        md_escape(&l.title),
                        u.replace('<', "%3C").replace('>', "%3E")
                    );
                }
                None => {
                    let _ = writeln!(s, "- **{}**", md_escape(&l.title));
                }
            }
            let _ = writeln!(s, "  {} · #{}", md_escape(&meta_line(l)), l.id);
            if !l.reason.is_empty() {
                let _ = writeln!(s, "  {}", md_escape(&l.reason));
            }
            for f in &l.feedback {
                let _ = writeln!(s, "  _Feedback: {}_", md_escape(f));
            }
        }
        if sec.more > 0 {
            let _ = writeln!(s, "\nEn nog {} in dit thema.", sec.more);
        }
        s.push('\n');
    }
    s.push_str("---\n\n");
    for line in footer_lines(d) {
        let _ = writeln!(s, "{}  ", md_escape(&line));
    }
    s
}

fn text(d: &Digest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}\n{}\n", d.title, period(d));
    if d.is_empty() {
        let _ = writeln!(s, "{EMPTY}\n");
    }
    for sec in &d.sections {
        let _ = writeln!(
            s,
            "{}\n{}",
            sec.label,
            "-".repeat(sec.label.chars().count())
        );
        for l in &sec.leads {
            let _ = writeln!(s, "* {}", l.title);
            let _ = writeln!(s, "  {} · #{}", meta_line(l), l.id);
            if !l.reason.is_empty() {
                let _ = writeln!(s, "  {}", l.reason);
            }
            for f in &l.feedback {
                let _ = writeln!(s, "  Feedback: {f}");
            }
            if let Some(u) = safe_url(l.url.as_deref()) {
                let _ = writeln!(s, "  {u}");
            }
        }
        if sec.more > 0 {
            let _ = writeln!(s, "  En nog {} in dit thema.", sec.more);
        }
        s.push('\n');
    }
    s.push_str("--\n");
    for line in footer_lines(d) {
        let _ = writeln!(s, "{line}");
    }
    s
}

fn atom(d: &Digest) -> String {
    let entries: Vec<(&Lead, &str, &str)> = d
        .sections
        .iter()
        .flat_map(|s| {
            s.leads
                .iter()
                .map(move |l| (l, s.theme.as_str(), s.label.as_str()))
        })
        .collect();
    let id = format!("urn:radar:digest:{}", d.window_end.format("%Y%m%dT%H%M%SZ"));
    atom_feed(&id, &d.title, d.generated_at, &entries)
}

/// An Atom feed of leads: (lead, theme id, theme label).
pub fn atom_feed(
    id: &str,
    title: &str,
    updated: chrono::DateTime<chrono::Utc>,
    entries: &[(&Lead, &str, &str)],
) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">\n\
         <id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n\
         <author><name>radar</name></author>\n<generator>radar</generator>\n",
        escape(id),
        escape(title),
        crate::store::ts(updated)
    );
    for (l, theme, label) in entries {
        let _ = writeln!(
            s,
            "<entry>\n<id>urn:radar:article:{}</id>\n<title>{}</title>\n<updated>{}</updated>",
            l.id,
            escape(&l.title),
            crate::store::ts(l.date)
        );
        if let Some(u) = safe_url(l.url.as_deref()) {
            let _ = writeln!(s, "<link rel=\"alternate\" href=\"{}\"/>", escape(u));
        }
        let _ = writeln!(
            s,
            "<author><name>{}</name></author>\n<category term=\"{}\" label=\"{}\"/>",
            escape(&l.source),
            escape(theme),
            escape(label)
        );
        let mut summary = meta_line(l);
        if !l.reason.is_empty() {
            summary = format!("{summary}\n{}", l.reason);
        }
        let _ = writeln!(
            s,
            "<summary type=\"text\">{}</summary>\n</entry>",
            escape(&summary)
        );
    }
    s.push_str("</feed>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script>&\"x\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;x&quot;"
        );
        assert_eq!(safe_url(Some("javascript:alert(1)")), None);
        assert_eq!(safe_url(Some("https://a.nl/x y")), None);
        assert_eq!(safe_url(Some("HTTPS://a.nl/x")), Some("HTTPS://a.nl/x"));
        assert_eq!(md_escape("[a](b)"), "\\[a\\](b)");
        assert_eq!(md_escape("# 1-2"), "\\# 1-2");
    }
}
