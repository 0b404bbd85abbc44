//! Sending the digest over SMTP (lettre): one multipart/alternative
//! message with a plain-text and an HTML part. Credentials come from the
//! environment variables named in `[email]`; a failed send is retried
//! `email.retries` times, `email.retry_delay_secs` apart.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::Digest;
use super::render::{Format, render};
use crate::config::EmailConfig;

/// Builds the message for `d`.
pub fn message(cfg: &EmailConfig, d: &Digest) -> anyhow::Result<Message> {
    let from: Mailbox = cfg
        .from
        .parse()
        .map_err(|e| anyhow::anyhow!("email.from {:?}: {e}", cfg.from))?;
    let mut b = Message::builder().from(from).subject(d.subject());
    for to in &cfg.to {
        let m: Mailbox = to
            .parse()
            .map_err(|e| anyhow::anyhow!("email.to {to:?}: {e}"))?;
        b = b.to(m);
    }
    let body = MultiPart::alternative_plain_html(render(d, Format::Text), render(d, Format::Html));
    b.multipart(body)
        .map_err(|e| anyhow::anyhow!("cannot build the e-mail: {e}"))
}

fn transport(cfg: &EmailConfig) -> anyhow::Result<SmtpTransport> {
    let tls = || {
        TlsParameters::new(cfg.host.clone())
            .map_err(|e| anyhow::anyhow!("TLS setup for {}: {e}", cfg.host))
    };
    let mut b = SmtpTransport::builder_dangerous(&cfg.host)
        .port(cfg.port)
        .timeout(Some(Duration::from_secs(cfg.timeout_secs)));
    b = match cfg.security.as_str() {
        "starttls" => b.tls(Tls::Required(tls()?)),
        "tls" => b.tls(Tls::Wrapper(tls()?)),
        _ => b.tls(Tls::None),
    };
    if !cfg.username_env.is_empty() {
        if let Ok(user) = std::env::var(&cfg.username_env) {
            let pass = std::env::var(&cfg.password_env).map_err(|_| {
                anyhow::anyhow!(
                    "{} is set but {} (the SMTP password) is not",
                    cfg.username_env,
                    cfg.password_env
                )
            })?;
            b = b.credentials(Credentials::new(user, pass));
        }
    }
    Ok(b.build())
}

/// Sends the digest, retrying failed attempts. The error names the server
/// and the last failure.
pub fn send_digest(cfg: &EmailConfig, d: &Digest) -> anyhow::Result<()> {
    if cfg.host.is_empty() {
        anyhow::bail!("no SMTP server configured: set email.host, email.from and email.to");
    }
    let msg = message(cfg, d)?;
    let mailer = transport(cfg)?;
    let attempts = cfg.retries + 1;
    let mut last = String::new();
    for attempt in 1..=attempts {
        match mailer.send(&msg) {
            Ok(_) => return Ok(()),
            Err(e) => {
                last = e.to_string();
                tracing::warn!(attempt, attempts, error = %last, "sending the digest failed");
                if attempt < attempts {
                    std::thread::sleep(Duration::from_secs(cfg.retry_delay_secs));
                }
            }
        }
    }
    anyhow::bail!(
        "sending to {}:{} failed after {attempts} attempt(s): {last}",
        cfg.host,
        cfg.port
    )
}
