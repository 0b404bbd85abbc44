//! Times as the advisors read them: Dutch local time (Europe/Amsterdam,
//! CET/CEST with its daylight-saving switch), whatever the server's own
//! zone. Stored times stay UTC; only what is shown is converted.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;

/// The local time in the Netherlands.
pub fn local(d: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    d.with_timezone(&Amsterdam)
}

/// Today's date in the Netherlands (for due dates).
pub fn today() -> chrono::NaiveDate {
    local(Utc::now()).date_naive()
}

/// `28-11-2026`
pub fn date(d: DateTime<Utc>) -> String {
    local(d).format("%d-%m-%Y").to_string()
}

/// `14:05`
pub fn time(d: DateTime<Utc>) -> String {
    local(d).format("%H:%M").to_string()
}

/// `28-11-2026 14:05`
pub fn date_time(d: DateTime<Utc>) -> String {
    local(d).format("%d-%m-%Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winter_and_summer_time() {
        let winter = DateTime::parse_from_rfc3339("2026-11-28T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(date_time(winter), "29-11-2026 00:30");
        let summer = DateTime::parse_from_rfc3339("2026-07-01T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(date(summer), "01-07-2026");
        assert_eq!(time(summer), "08:00");
    }
}
