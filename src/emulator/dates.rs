//! Dates as COS writes them: ISO 8601 in XML bodies, IMF-fixdate in headers.

use std::time::{Duration, UNIX_EPOCH};

pub(crate) use crate::transfer::cleanup::format_iso8601 as iso8601;

/// Last second HTTP dates can show (9999-12-31T23:59:59Z): a clock beyond it is clamped.
const MAX_HTTP_DATE: u64 = 253_402_300_799;

/// `Tue, 14 Nov 2023 22:13:20 GMT`.
pub(crate) fn http_date(secs: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs.min(MAX_HTTP_DATE)))
}

/// Parses an HTTP date into Unix seconds; `None` for anything unreadable (the condition is then
/// ignored, as HTTP says).
pub(crate) fn parse_http_date(s: &str) -> Option<u64> {
    let t = httpdate::parse_http_date(s.trim()).ok()?;
    Some(t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(http_date(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"), Some(1_700_000_000));
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(http_date(u64::MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
        assert!(iso8601(u64::MAX).ends_with(".000Z"));
    }
}
