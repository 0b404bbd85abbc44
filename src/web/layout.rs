//! The page shell (head, navigation, user menu) and small shared pieces.
//! maud escapes every `(value)`; only [`marked`] builds markup from feed
//! text itself, and it escapes each piece.

use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Ctx;
use crate::index::Snippet;

/// Navigation entries: (path, label).
const NAV: &[(&str, &str)] = &[
    ("/vandaag", "Vandaag"),
    ("/zoeken", "Zoeken"),
    ("/opvolging", "Opvolging"),
    ("/bronnen", "Bronnen"),
    ("/overzicht", "Overzicht"),
];

/// A full page.
pub fn page(ctx: &Ctx, title: &str, active: &str, body: Markup) -> String {
    shell(Some(ctx), title, active, body)
}

fn shell(ctx: Option<&Ctx>, title: &str, active: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) " · radar" }
                link rel="stylesheet" href="/static/radar.css";
                link rel="icon" type="image/svg+xml" href="/static/favicon.svg";
            }
            body {
                header.top {
                    a.brand href="/vandaag" { "radar" }
                    nav {
                        @for (href, label) in NAV {
                            a href=(href) class=[(*href == active).then_some("active")] { (label) }
                        }
                    }
                    @if let Some(ctx) = ctx {
                        div.who {
                            @if let Some(u) = &ctx.user {
                                span { (u.name) " (" (role_nl(&u.role)) ")" }
                                form.inline method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(ctx.csrf);
                                    button type="submit" { "Uitloggen" }
                                }
                            } @else if ctx.open {
                                span.muted { "open (alleen deze computer)" }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
    .into_string()
}

/// An error page.
pub fn error_page(ctx: Option<&Ctx>, status: StatusCode, message: &str) -> String {
    let body = html! {
        h1 { "Fout " (status.as_u16()) }
        p.error role="alert" { (message) }
        p { a href="/vandaag" { "Naar Vandaag" } }
    };
    shell(ctx, "Fout", "", body)
}

/// Dutch name of a role.
pub fn role_nl(role: &str) -> &'static str {
    match role {
        "advisor" => "adviseur",
        _ => "lezer",
    }
}

/// A snippet with its matches in `<mark>`, every piece escaped.
pub fn marked(s: &Snippet) -> Markup {
    let mut out = String::with_capacity(s.text.len() + 32);
    let mut last = 0;
    for &(a, b) in &s.highlights {
        // ranges come from the index; never trust them to be in bounds
        let (Some(before), Some(hit)) = (s.text.get(last..a), s.text.get(a..b)) else {
            break;
        };
        out.push_str(&html! { (before) }.into_string());
        out.push_str(&html! { mark { (hit) } }.into_string());
        last = b;
    }
    out.push_str(&html! { (s.text.get(last..).unwrap_or("")) }.into_string());
    PreEscaped(out)
}

/// A score as a small badge.
pub fn score_badge(score: Option<f32>) -> Markup {
    html! {
        @if let Some(s) = score {
            span class=(format!("score s{}", (s / 20.0).floor().clamp(0.0, 4.0) as u8)) title="Koploper-score (0–100)" { (format!("{s:.0}")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_around_their_marks() {
        let s = Snippet {
            text: "<b>zorg</b> & <script>x</script>".into(),
            highlights: vec![(3, 7)],
        };
        let m = marked(&s).into_string();
        assert_eq!(
            m,
            "&lt;b&gt;<mark>zorg</mark>&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"
        );
        // a range outside the text is ignored, not a panic
        let bad = Snippet {
            text: "kort".into(),
            highlights: vec![(2, 99)],
        };
        assert_eq!(marked(&bad).into_string(), "kort");
    }
}
