//! One-sheet XLSX tables for exports: bold frozen header, autofilter, column widths; money as
//! numbers with a currency format; caller text is always written as a string, never a formula.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet};
use std::collections::HashMap;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Written as a string cell, whatever it looks like (`=1+1` stays text).
    Text(String),
    /// Written as a number; NaN and infinities are written as empty cells.
    Number(f64),
    /// Integer minor units (cents) plus an ISO currency code; written as `minor / 100` with two
    /// decimals and the code in the number format.
    Money {
        minor: i64,
        currency: String,
    },
    Empty,
}

/// Why a workbook could not be produced (the message of `rust_xlsxwriter`'s error).
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("xlsx: {0}")]
    Write(String),
}

impl From<rust_xlsxwriter::XlsxError> for XlsxError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        XlsxError::Write(e.to_string())
    }
}

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Excel's limit on the characters of a sheet name.
const MAX_SHEET_CHARS: usize = 31;

/// How one cell is written: the decision is kept apart from the writing so it can be tested.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Planned {
    /// `write_string` (never `write_formula`); `quote` marks formula-like text with Excel's
    /// quote prefix so that editing the cell in Excel keeps it text.
    Str {
        text: String,
        quote: bool,
    },
    /// `write_number`, with the currency code of a money cell (already sanitised) if any.
    Num {
        value: f64,
        currency: Option<String>,
    },
    Blank,
}

/// Text Excel would take for a formula if typed in (also the CSV-injection prefixes).
fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// A currency code safe inside a number format: ASCII letters and digits only, at most 8.
fn currency_code(c: &str) -> Option<String> {
    let code: String = c
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase();
    (!code.is_empty()).then_some(code)
}

pub(crate) fn plan(cell: &Cell) -> Planned {
    match cell {
        Cell::Text(s) if s.is_empty() => Planned::Blank,
        Cell::Text(s) => Planned::Str {
            text: truncate_chars(s, MAX_CELL_CHARS),
            quote: formula_like(s),
        },
        Cell::Number(v) if v.is_finite() => Planned::Num {
            value: *v,
            currency: None,
        },
        Cell::Number(_) | Cell::Empty => Planned::Blank,
        Cell::Money { minor, currency } => Planned::Num {
            // i64 -> f64 is exact up to 2^53 minor units (90 trillion in major units).
            value: *minor as f64 / 100.0,
            currency: currency_code(currency),
        },
    }
}

/// The text width (in characters) a cell shows, for column widths.
fn shown_width(p: &Planned) -> usize {
    match p {
        Planned::Str { text, .. } => text.lines().map(|l| l.chars().count()).max().unwrap_or(0),
        Planned::Num { value, currency } => {
            let digits = format!("{:.2}", value.abs()).len();
            let grouping = digits.saturating_sub(4) / 3; // thousands separators
            digits
                + grouping
                + usize::from(*value < 0.0)
                + currency.as_ref().map_or(0, |c| c.len() + 1)
        }
        Planned::Blank => 0,
    }
}

/// A valid Excel sheet name made from any text: forbidden characters become `_`, at most 31
/// characters, no leading/trailing apostrophe, never empty, never the reserved `History`.
pub fn sheet_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches('\'').trim();
    let mut name = truncate_chars(trimmed, MAX_SHEET_CHARS);
    // Truncation may have exposed an apostrophe or a space at the end.
    while name.ends_with(['\'', ' ']) {
        name.pop();
    }
    if name.is_empty() {
        return "Sheet1".to_string();
    }
    if name.eq_ignore_ascii_case("history") {
        name.push('_');
    }
    name
}

struct Formats {
    header: Format,
    quoted: Format,
    number: Format,
    money: HashMap<Option<String>, Format>,
}

impl Formats {
    fn money(&mut self, currency: &Option<String>) -> &Format {
        self.money.entry(currency.clone()).or_insert_with(|| {
            let fmt = match currency {
                Some(code) => format!("#,##0.00 \"{code}\";-#,##0.00 \"{code}\""),
                None => "#,##0.00".to_string(),
            };
            Format::new().set_num_format(fmt)
        })
    }
}

fn write_planned(
    ws: &mut Worksheet,
    formats: &mut Formats,
    row: u32,
    col: u16,
    p: &Planned,
) -> Result<(), XlsxError> {
    match p {
        Planned::Str { text, quote: true } => {
            ws.write_string_with_format(row, col, text, &formats.quoted)?;
        }
        Planned::Str { text, quote: false } => {
            ws.write_string(row, col, text)?;
        }
        Planned::Num {
            value,
            currency: None,
        } => {
            ws.write_number_with_format(row, col, *value, &formats.number)?;
        }
        Planned::Num {
            value,
            currency: Some(c),
        } => {
            let f = formats.money(&Some(c.clone()));
            ws.write_number_with_format(row, col, *value, f)?;
        }
        Planned::Blank => {}
    }
    Ok(())
}

fn col_index(i: usize) -> Result<u16, XlsxError> {
    // Excel has 16,384 columns.
    u16::try_from(i)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| XlsxError::Write(format!("too many columns ({})", i + 1)))
}

fn row_index(i: usize) -> Result<u32, XlsxError> {
    // Excel has 1,048,576 rows; row 0 is the header.
    u32::try_from(i)
        .ok()
        .filter(|r| *r < 1_048_576)
        .ok_or_else(|| XlsxError::Write(format!("too many rows ({i})")))
}

/// One-sheet workbook: bold header row, frozen header, autofilter over the table, column
/// widths from the content (8..=60 characters); money as numbers with 2 decimals (`minor/100`)
/// and a currency number format; text is always a string, never a formula. The sheet name is
/// sanitised with [`sheet_name`].
pub fn table(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(sheet))?;
    let mut formats = Formats {
        header: Format::new()
            .set_bold()
            .set_background_color(0x00E8_EDF5)
            .set_border_bottom(FormatBorder::Thin),
        quoted: Format::new().set_quote_prefix(),
        number: Format::new().set_num_format("General"),
        money: HashMap::new(),
    };

    let ncols = rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(headers.len()))
        .max()
        .unwrap_or(0);
    let mut widths = vec![0usize; ncols];

    for (c, h) in headers.iter().enumerate() {
        let col = col_index(c)?;
        let text = truncate_chars(h, MAX_CELL_CHARS);
        widths[c] = text.chars().count();
        ws.write_string_with_format(0, col, text, &formats.header)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        let row = row_index(r + 1)?;
        for (c, cell) in cells.iter().enumerate() {
            let col = col_index(c)?;
            let p = plan(cell);
            widths[c] = widths[c].max(shown_width(&p));
            write_planned(ws, &mut formats, row, col, &p)?;
        }
    }

    if ncols > 0 {
        let last_col = col_index(ncols - 1)?;
        for (c, w) in widths.iter().enumerate() {
            // +2 for the autofilter button and padding.
            let width = (*w + 2).clamp(8, 60) as f64;
            ws.set_column_width(col_index(c)?, width)?;
        }
        if !headers.is_empty() {
            ws.set_freeze_panes(1, 0)?;
            ws.autofilter(0, 0, row_index(rows.len())?, last_col)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_rows() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::Text("Alpha".into()),
                Cell::Number(3.5),
                Cell::Money {
                    minor: 123_456,
                    currency: "EUR".into(),
                },
                Cell::Empty,
            ],
            vec![
                Cell::Text("=HYPERLINK(\"http://evil\")".into()),
                Cell::Number(f64::NAN),
                Cell::Money {
                    minor: -5,
                    currency: "US\"D;@".into(),
                },
                Cell::Text("@SUM(A1)".into()),
            ],
        ]
    }

    #[test]
    fn produces_a_zip() {
        let bytes = table(
            "Projects",
            &["Name", "Score", "Budget", "Note"],
            &sample_rows(),
        )
        .expect("workbook is written");
        assert!(bytes.starts_with(b"PK"), "XLSX is a ZIP container");
        assert!(bytes.len() > 1000);
    }

    #[test]
    fn hostile_sheet_name_and_formula_text_do_not_fail() {
        for name in [
            "a[b]:c*d?e/f\\g",
            "''",
            "",
            "History",
            "'quoted'",
            "a very long sheet name that Excel would refuse outright",
            "\u{0}\u{7}tab\there",
        ] {
            let bytes = table(name, &["=1+1", "+x"], &sample_rows())
                .unwrap_or_else(|e| panic!("sheet {name:?}: {e}"));
            assert!(bytes.starts_with(b"PK"));
            let cleaned = sheet_name(name);
            rust_xlsxwriter::utility::check_sheet_name(&cleaned)
                .unwrap_or_else(|e| panic!("{name:?} -> {cleaned:?}: {e}"));
        }
    }

    #[test]
    fn sheet_names_are_sanitised() {
        assert_eq!(sheet_name("a[b]:c*d?e/f\\g"), "a_b__c_d_e_f_g");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name("  ''  "), "Sheet1");
        assert_eq!(sheet_name("History"), "History_");
        assert_eq!(sheet_name("Portfolio 2027"), "Portfolio 2027");
        let long = sheet_name(&"é".repeat(40));
        assert_eq!(long.chars().count(), 31);
        // Truncation must not leave a trailing apostrophe.
        let s = format!("{}'x", "a".repeat(30));
        assert_eq!(sheet_name(&s), "a".repeat(30));
    }

    #[test]
    fn formula_like_text_is_planned_as_a_quoted_string() {
        for t in ["=1+1", "+1", "-1", "@SUM(A1)", "=cmd|' /C calc'!A0"] {
            assert_eq!(
                plan(&Cell::Text(t.into())),
                Planned::Str {
                    text: t.into(),
                    quote: true
                },
                "{t}"
            );
        }
        assert_eq!(
            plan(&Cell::Text("plain".into())),
            Planned::Str {
                text: "plain".into(),
                quote: false
            }
        );
        // Numeric-looking text stays text too.
        assert!(matches!(
            plan(&Cell::Text("42".into())),
            Planned::Str { .. }
        ));
    }

    #[test]
    fn numbers_money_and_blanks() {
        assert_eq!(
            plan(&Cell::Money {
                minor: 123_456,
                currency: "eur".into()
            }),
            Planned::Num {
                value: 1234.56,
                currency: Some("EUR".into())
            }
        );
        // A hostile currency cannot break out of the number format's quotes.
        assert_eq!(
            plan(&Cell::Money {
                minor: -5,
                currency: "US\"D;@".into()
            }),
            Planned::Num {
                value: -0.05,
                currency: Some("USD".into())
            }
        );
        assert_eq!(
            plan(&Cell::Money {
                minor: 1,
                currency: "€".into()
            }),
            Planned::Num {
                value: 0.01,
                currency: None
            }
        );
        assert_eq!(plan(&Cell::Number(f64::INFINITY)), Planned::Blank);
        assert_eq!(plan(&Cell::Number(f64::NAN)), Planned::Blank);
        assert_eq!(plan(&Cell::Empty), Planned::Blank);
        assert_eq!(plan(&Cell::Text(String::new())), Planned::Blank);
        assert_eq!(
            plan(&Cell::Number(2.0)),
            Planned::Num {
                value: 2.0,
                currency: None
            }
        );
    }

    #[test]
    fn overlong_text_is_truncated_not_refused() {
        let long = "x".repeat(40_000);
        let bytes = table("T", &["Text"], &[vec![Cell::Text(long)]]).expect("written");
        assert!(bytes.starts_with(b"PK"));
    }

    #[test]
    fn empty_and_ragged_tables() {
        assert!(table("T", &[], &[]).expect("empty").starts_with(b"PK"));
        assert!(
            table("T", &["A"], &[])
                .expect("header only")
                .starts_with(b"PK")
        );
        let ragged = vec![vec![
            Cell::Number(1.0),
            Cell::Number(2.0),
            Cell::Number(3.0),
        ]];
        assert!(
            table("T", &["A"], &ragged)
                .expect("ragged")
                .starts_with(b"PK")
        );
    }

    #[test]
    fn column_widths_follow_content() {
        let money = plan(&Cell::Money {
            minor: 123_456_789,
            currency: "EUR".into(),
        });
        // "1,234,567.89 EUR"
        assert_eq!(shown_width(&money), 16);
        assert_eq!(shown_width(&plan(&Cell::Text("ab\nabcd".into()))), 4);
    }
}
