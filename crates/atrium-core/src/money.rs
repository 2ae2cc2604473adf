//! Money as integer minor units plus an ISO 4217 currency code: never floats, so sums and
//! round trips through either database are exact.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 code (three upper-case letters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Currency(String);

impl Currency {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_uppercase();
        (s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())).then_some(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount in minor units (cents) of the organization's currency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Minor(pub i64);

/// Largest amount accepted from users: 10^15 minor units (10 trillion in a 2-decimal currency).
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

impl Minor {
    /// Parses a decimal amount such as `1250000`, `1,250,000.50` or `-3.5` into minor units
    /// (two decimals). Returns `None` for anything else, including more than two decimals.
    pub fn parse_decimal(s: &str) -> Option<Self> {
        let s: String = s
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '_' && *c != ' ')
            .collect();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.to_owned()),
            None => (false, s),
        };
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s.as_str(), ""),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
        {
            return None;
        }
        let units: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        let v = units.checked_mul(100)?.checked_add(cents)?;
        if v > MAX_MINOR {
            return None;
        }
        Some(Self(if neg { -v } else { v }))
    }

    /// `1234567` minor units -> `"12,345.67"`.
    pub fn format(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let units = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in units.chars().enumerate() {
            if i > 0 && (units.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{}{}.{:02}", if neg { "-" } else { "" }, grouped, abs % 100)
    }

    /// The amount as a plain decimal string without grouping (`"12345.67"`), for forms and CSV.
    pub fn plain(self) -> String {
        let abs = self.0.unsigned_abs();
        format!(
            "{}{}.{:02}",
            if self.0 < 0 { "-" } else { "" },
            abs / 100,
            abs % 100
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(
            Minor::parse_decimal("1,250,000.5"),
            Some(Minor(125_000_050))
        );
        assert_eq!(Minor::parse_decimal("-3"), Some(Minor(-300)));
        assert_eq!(Minor::parse_decimal("1.234"), None);
        assert_eq!(Minor::parse_decimal("abc"), None);
        assert_eq!(Minor::parse_decimal(""), None);
        assert_eq!(Minor::parse_decimal("99999999999999999999"), None);
        assert_eq!(Minor(123_456_789).format(), "1,234,567.89");
        assert_eq!(Minor(-5).format(), "-0.05");
        assert_eq!(Minor(123_456_789).plain(), "1234567.89");
    }

    #[test]
    fn currency_codes() {
        assert_eq!(
            Currency::parse("eur").map(|c| c.to_string()),
            Some("EUR".into())
        );
        assert!(Currency::parse("EURO").is_none());
    }
}
