//! Server-rendered SVG heat map of capacity against demand (see the module body).
//!
//! One row per person (or skill, team…), one column per time bucket; each cell is coloured by
//! load = demand / capacity with the classes of the `/* heatmap */` block of `static/app.css`
//! (the CSP forbids inline styles). Over-allocated cells are also marked without colour: a
//! thick outline and a `!` after the number. The SVG keeps its natural size (30 px or more per
//! column); pages wrap it in `<div class="heatmap-scroll">` so wide horizons scroll sideways.

use crate::charts::esc;
use std::fmt::Write as _;

/// One person × bucket, in minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatCell {
    pub capacity: i64,
    pub demand: i64,
    /// Drill-down link (e.g. the contributing tasks).
    pub href: Option<String>,
}

/// One row of the heat map; cells past the number of columns are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatRow {
    pub label: String,
    pub href: Option<String>,
    pub cells: Vec<HeatCell>,
}

/// Height of a row.
const ROW: i64 = 20;
/// Top margin holding the column labels.
const TOP: i64 = 26;
/// Width of the row-label column.
const LABEL_W: i64 = 164;
/// Row labels are cut to this many characters (full text in the tooltip).
const LABEL_CHARS: usize = 22;
/// Average width of one character of 11px system-ui text.
const CHAR_W: f64 = 6.0;
/// The chart is at least this wide, so that the legend fits.
const MIN_W: i64 = 660;

/// The colour band of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Band {
    /// No capacity and no demand.
    None,
    Low,
    Mid,
    Full,
    Over,
}

impl Band {
    fn of(capacity: i64, demand: i64) -> Band {
        let (c, d) = (i128::from(capacity.max(0)), i128::from(demand.max(0)));
        if c == 0 {
            return if d == 0 { Band::None } else { Band::Over };
        }
        if d * 100 < c * 50 {
            Band::Low
        } else if d * 100 < c * 85 {
            Band::Mid
        } else if d <= c {
            Band::Full
        } else {
            Band::Over
        }
    }

    fn class(self) -> &'static str {
        match self {
            Band::None => "hm-none",
            Band::Low => "hm-low",
            Band::Mid => "hm-mid",
            Band::Full => "hm-full",
            Band::Over => "hm-over",
        }
    }
}

/// Load in percent: rounded down, except over-allocated cells, rounded up (so they never read
/// "100"). `None` without capacity.
fn percent(capacity: i64, demand: i64, over: bool) -> Option<i128> {
    let (c, d) = (i128::from(capacity.max(0)), i128::from(demand.max(0)));
    if c == 0 {
        return None;
    }
    Some(if over {
        (d * 100 + c - 1) / c
    } else {
        d * 100 / c
    })
}

/// Minutes as hours: "46 h", "1.5 h"; a few minutes as "4 min".
fn hours(m: i64) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let a = i128::from(m).abs();
    if a > 0 && a < 6 {
        return format!("{sign}{a} min");
    }
    let tenths = (a * 10 + 30) / 60;
    if tenths % 10 == 0 {
        format!("{sign}{} h", tenths / 10)
    } else {
        format!("{sign}{}.{} h", tenths / 10, tenths % 10)
    }
}

/// At most `max` characters, the last one an ellipsis when cut.
fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t = t.trim_end().to_string();
    t.push('…');
    t
}

/// Only site-relative and http(s) links: a hostile `javascript:` href is dropped. Escaped.
fn safe_href(href: Option<&str>) -> Option<String> {
    let h = href?.trim();
    let lower = h.to_ascii_lowercase();
    let ok = h.starts_with('/') && !h.starts_with("//")
        || h.starts_with('#')
        || h.starts_with('?')
        || lower.starts_with("https://")
        || lower.starts_with("http://");
    (ok && !h.is_empty()).then(|| esc(h))
}

fn open(out: &mut String, w: i64, h: i64, title: &str) {
    let t = esc(title);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="11"><title>{t}</title>"#,
    );
}

/// Heat map of demand against capacity. `columns` are the bucket labels, `title` the
/// accessible title of the chart. Each cell is coloured by load = demand / capacity:
/// `hm-none` (no capacity, no demand), `hm-low` (< 50 %), `hm-mid` (50–85 %), `hm-full`
/// (85–100 %), `hm-over` (> 100 %, or demand without capacity; also outlined and marked `!`).
/// Cells show their percentage (without the `%` sign on narrow columns), rows and cells with
/// an href are links, every cell has a tooltip, and a legend sits under the chart. With no
/// rows or no columns the answer is a short "Nothing to show" SVG.
pub fn heatmap_svg(title: &str, columns: &[String], rows: &[HeatRow]) -> String {
    let cols = columns.len();
    if rows.is_empty() || cols == 0 {
        let mut s = String::new();
        open(&mut s, 360, 60, title);
        s.push_str(r#"<text class="hm-empty" x="180" y="34" text-anchor="middle">Nothing to show</text></svg>"#);
        return s;
    }
    // Column width: fill about 1200 px, between 30 and 60 px.
    let cw = ((1200 - LABEL_W) / cols as i64).clamp(30, 60);
    let wide = cw >= 40;
    let grid_w = LABEL_W + cw * cols as i64;
    let w = (grid_w + 8).max(MIN_W);
    let rows_h = ROW * rows.len() as i64;
    let legend_y = TOP + rows_h + 10;
    let h = legend_y + 34;

    let mut s = String::with_capacity(600 + rows.len() * cols * 150);
    open(&mut s, w, h, title);

    // Column labels, thinned out so that they never overlap.
    let widest = columns
        .iter()
        .map(|c| truncate(c, 14).chars().count())
        .max()
        .unwrap_or(1) as f64
        * CHAR_W
        + 6.0;
    let step = ((widest / cw as f64).ceil() as usize).max(1);
    s.push_str(r#"<g class="hm-cols">"#);
    for (i, c) in columns.iter().enumerate().step_by(step) {
        let x = LABEL_W + cw * i as i64 + 2;
        let _ = write!(
            s,
            r#"<text x="{x}" y="{}">{}</text>"#,
            TOP - 8,
            esc(&truncate(c, 14))
        );
    }
    s.push_str("</g>");

    let col_labels: Vec<String> = columns.iter().map(|c| esc(c.trim())).collect();
    for (r, row) in rows.iter().enumerate() {
        let y = TOP + ROW * r as i64;
        let name = esc(row.label.trim());
        let _ = write!(s, r#"<g class="hm-row" transform="translate(0,{y})">"#);
        let label = format!(
            r#"<text class="hm-label" x="6" y="14">{}<title>{name}</title></text>"#,
            esc(&truncate(&row.label, LABEL_CHARS))
        );
        match safe_href(row.href.as_deref()) {
            Some(href) => {
                let _ = write!(s, r#"<a href="{href}">{label}</a>"#);
            }
            None => s.push_str(&label),
        }
        for (i, cell) in row.cells.iter().take(cols).enumerate() {
            let band = Band::of(cell.capacity, cell.demand);
            let over = band == Band::Over;
            let pct = percent(cell.capacity, cell.demand, over);
            let x = LABEL_W + cw * i as i64;
            let tip = match (band, pct) {
                (Band::None, _) => "nothing planned, no capacity".to_string(),
                (_, Some(p)) if over => format!(
                    "{} planned of {} available ({p} %, over by {})",
                    hours(cell.demand),
                    hours(cell.capacity),
                    hours(cell.demand.saturating_sub(cell.capacity.max(0)))
                ),
                (_, Some(p)) => format!(
                    "{} planned of {} available ({p} %)",
                    hours(cell.demand),
                    hours(cell.capacity)
                ),
                (_, None) => format!(
                    "{} planned of 0 h available (over by {})",
                    hours(cell.demand),
                    hours(cell.demand)
                ),
            };
            let mut text = match pct {
                // Narrow over-allocated cells keep room for the marker.
                Some(p) if p > 999 && !wide => String::new(),
                Some(p) if p > 999 => "999+".to_string(),
                Some(p) if band != Band::None => p.to_string(),
                _ => String::new(),
            };
            if wide && !text.is_empty() {
                text.push('%');
            }
            if over {
                text.push('!');
            }
            let href = safe_href(cell.href.as_deref());
            match &href {
                Some(h) => {
                    let _ = write!(s, r#"<a href="{h}">"#);
                }
                None => s.push_str("<g>"),
            }
            let _ = write!(
                s,
                r#"<title>{name} · {}: {tip}</title><rect class="{}" x="{}" y="1" width="{}" height="{}"/>"#,
                col_labels[i],
                band.class(),
                x + 1,
                cw - 2,
                ROW - 2
            );
            if !text.is_empty() {
                let _ = write!(s, r#"<text x="{}" y="14">{text}</text>"#, x + cw / 2);
            }
            s.push_str(if href.is_some() { "</a>" } else { "</g>" });
        }
        s.push_str("</g>");
    }

    // Legend.
    let items: [(&str, &str, &str); 5] = [
        ("hm-none", "", "no capacity"),
        ("hm-low", "", "under 50 %"),
        ("hm-mid", "", "50–85 %"),
        ("hm-full", "", "85–100 %"),
        ("hm-over", "!", "over 100 %"),
    ];
    let _ = write!(
        s,
        r#"<g class="hm-legend" transform="translate(6,{legend_y})">"#
    );
    let mut lx = 0.0;
    for (class, mark, text) in items {
        let _ = write!(
            s,
            r#"<rect class="{class}" x="{}" y="0" width="22" height="14"/>"#,
            lx
        );
        if !mark.is_empty() {
            let _ = write!(
                s,
                r#"<text class="hm-mark" x="{}" y="11">{mark}</text>"#,
                lx + 11.0
            );
        }
        let _ = write!(s, r#"<text x="{}" y="11">{text}</text>"#, lx + 27.0);
        lx += 27.0 + text.chars().count() as f64 * CHAR_W + 16.0;
    }
    let _ = write!(
        s,
        r#"<text class="hm-note" x="0" y="29">Numbers: planned work as % of the time available for projects.</text></g></svg>"#
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(capacity: i64, demand: i64) -> HeatCell {
        HeatCell {
            capacity,
            demand,
            href: None,
        }
    }

    fn row(label: &str, cells: Vec<HeatCell>) -> HeatRow {
        HeatRow {
            label: label.to_string(),
            href: None,
            cells,
        }
    }

    fn cols(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{} Dec", i + 1)).collect()
    }

    #[test]
    fn bands_follow_the_thresholds() {
        let cases = [
            (0, 0, Band::None),
            (0, 5, Band::Over),
            (100, 0, Band::Low),
            (100, 49, Band::Low),
            (100, 50, Band::Mid),
            (100, 84, Band::Mid),
            (100, 85, Band::Full),
            (100, 100, Band::Full),
            (100, 101, Band::Over),
            (-10, 0, Band::None),
            (i64::MAX, i64::MAX, Band::Full),
        ];
        for (c, d, b) in cases {
            assert_eq!(Band::of(c, d), b, "capacity {c}, demand {d}");
        }
        assert_eq!(percent(2400, 2401, true), Some(101));
        assert_eq!(percent(2400, 2399, false), Some(99));
        assert_eq!(hours(2760), "46 h");
        assert_eq!(hours(90), "1.5 h");
        assert_eq!(hours(4), "4 min");
        assert_eq!(hours(-360), "-6 h");
    }

    #[test]
    fn classes_texts_and_over_markers() {
        let cells = vec![
            cell(0, 0),
            cell(100, 10),
            cell(100, 60),
            cell(100, 90),
            cell(2400, 2760),
            cell(0, 480),
        ];
        let svg = heatmap_svg("Load", &cols(6), &[row("Ann Lee", cells)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title>Load</title>"));
        for class in ["hm-none", "hm-low", "hm-mid", "hm-full"] {
            // Once in the grid, once in the legend.
            assert_eq!(
                svg.matches(&format!(r#"<rect class="{class}""#)).count(),
                2,
                "{class}"
            );
        }
        assert_eq!(svg.matches(r#"<rect class="hm-over""#).count(), 3);
        // The over marker: only on the two over cells (and the legend swatch).
        assert_eq!(svg.matches("!</text>").count(), 3);
        assert!(svg.contains(">115%!</text>") && svg.contains(">!</text>"));
        assert!(svg.contains(">10%</text>") && svg.contains(">90%</text>"));
        assert!(!svg.contains(">60%!</text>"));
        assert!(svg.contains(
            "<title>Ann Lee · 5 Dec: 46 h planned of 40 h available (115 %, over by 6 h)</title>"
        ));
        assert!(svg.contains(
            "<title>Ann Lee · 6 Dec: 8 h planned of 0 h available (over by 8 h)</title>"
        ));
        assert!(svg.contains("<title>Ann Lee · 1 Dec: nothing planned, no capacity</title>"));
        assert_eq!(svg.matches("over by").count(), 2);
        assert!(!svg.contains("style="));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = heatmap_svg(
            "<b>Pool</b> & co",
            &["<i>wk</i>".to_string()],
            &[row(r#"<script>"Ann" & 'Bob'"#, vec![cell(60, 30)])],
        );
        assert!(!svg.contains("<script>") && !svg.contains("<i>") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;b&gt;Pool&lt;/b&gt; &amp; co"));
        assert!(svg.contains("&lt;script&gt;&quot;Ann&quot; &amp; &#39;Bob&#39;"));
        assert!(svg.contains("&lt;i&gt;wk&lt;/i&gt;"));
    }

    #[test]
    fn rows_and_cells_link_when_they_have_an_href() {
        let mut r = row("Ann", vec![cell(100, 50), cell(100, 50)]);
        r.href = Some("/resources/7".to_string());
        r.cells[0].href = Some("/capacity/7?b=0&x=1".to_string());
        r.cells[1].href = Some("javascript:alert(1)".to_string());
        let svg = heatmap_svg("t", &cols(2), &[r]);
        assert!(svg.contains(r#"<a href="/resources/7"><text class="hm-label""#));
        assert!(svg.contains(r#"<a href="/capacity/7?b=0&amp;x=1"><title>Ann · 1 Dec"#));
        assert!(!svg.contains("javascript"));
        assert_eq!(svg.matches("<a href=").count(), 2);
    }

    #[test]
    fn long_labels_are_cut_and_columns_thinned() {
        let long = "A very long name of a person indeed, far too long";
        let rows: Vec<HeatRow> = (0..50)
            .map(|r| {
                row(
                    if r == 0 { long } else { "Somebody" },
                    (0..52)
                        .map(|b| cell(2400, (r * 97 + b * 31) % 3200))
                        .collect(),
                )
            })
            .collect();
        let svg = heatmap_svg("Pool", &cols(52), &rows);
        assert!(svg.contains(&format!("<title>{long}</title>")));
        assert!(svg.contains(">A very long name of a…<title>"));
        let labels = svg.split(r#"<g class="hm-cols">"#).nth(1).unwrap_or("");
        let labels = &labels[..labels.find("</g>").unwrap_or(0)];
        let shown = labels.matches("<text").count();
        assert!((10..52).contains(&shown), "{shown} column labels");
        // Compact: well under 200 bytes a cell on the typical page.
        assert!(svg.len() < 50 * 52 * 200, "{} bytes", svg.len());
        // Narrow columns: numbers without the % sign (the legend keeps its "50–85 %").
        assert!((0..10).all(|d| !svg.contains(&format!("{d}%</text>"))));
        assert!((0..10).any(|d| svg.contains(&format!("{d}!</text>"))));
    }

    #[test]
    fn narrow_columns_keep_the_over_marker() {
        let cells: Vec<HeatCell> = (0..52)
            .map(|b| cell(60, if b == 0 { 6000 } else { 30 }))
            .collect();
        let svg = heatmap_svg("Pool", &cols(52), &[row("Ann", cells)]);
        // 10,000 % does not fit a narrow cell: the marker alone, the figure in the tooltip.
        assert!(svg.contains("(10000 %, over by 99 h)"));
        assert!(!svg.contains("999+"));
        assert_eq!(svg.matches(">!</text>").count(), 2); // the cell and the legend swatch
        assert_eq!(svg.matches(">50</text>").count(), 51);
    }

    #[test]
    fn nothing_to_show() {
        let empty = heatmap_svg("Pool", &cols(4), &[]);
        assert!(empty.contains("Nothing to show") && empty.len() < 500);
        assert!(empty.contains(r#"role="img""#));
        let no_cols = heatmap_svg("Pool", &[], &[row("Ann", vec![])]);
        assert!(no_cols.contains("Nothing to show"));
        // A row without cells is still a row.
        let short = heatmap_svg("Pool", &cols(3), &[row("Ann", vec![cell(10, 20)])]);
        assert_eq!(short.matches("<title>Ann · ").count(), 1);
    }
}
