//! Server-rendered SVG Gantt chart: a pure function from a view model ([`GanttInput`]) to an
//! SVG string, in the style of `charts.rs`. A label column (id, indented name, collapse
//! toggles) on the left; on the right a two-tier time scale and task, summary, milestone,
//! baseline, progress and external marks, orthogonal link arrows for the four link kinds, and
//! today / status-date lines. Colours come only from CSS classes (the `/* gantt */` block of
//! `static/app.css`): the Content-Security-Policy forbids inline styles.

use std::fmt::{self, Write as _};

/// Height of one task row.
const ROW: f64 = 22.0;
/// Height of one tier of the time scale (there are two).
const TIER: f64 = 20.0;
const HEAD: f64 = 2.0 * TIER;
/// Room under the rows for the today / status-date labels.
const FOOT: f64 = 18.0;
/// Width of the label column (id + name); the timeline starts here.
const LABEL_W: f64 = 300.0;
/// Width of the id column inside the label column.
const UID_W: f64 = 46.0;
/// Indentation per outline level.
const INDENT: f64 = 12.0;
/// Right margin after the timeline.
const PAD_R: f64 = 12.0;
/// The timeline never gets wider than this: the window is clamped instead.
pub const MAX_TIMELINE_W: f64 = 20_000.0;
/// Average width of one character of 11–12px system-ui text, for layout estimates.
const CHAR_W: f64 = 6.4;
/// Length of the horizontal stubs of a link path.
const GAP: f64 = 8.0;
/// Tooltips show at most this many characters of a name.
const TITLE_MAX: usize = 200;
const MIN_PER_DAY: i64 = 1440;
/// Instants are clamped to the years 1..=9999 so that the arithmetic never overflows.
const MIN_DAY: i64 = days_from_civil(1, 1, 1);
const MAX_DAY: i64 = days_from_civil(9999, 12, 31);

/// Time-scale zoom of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Zoom {
    Day,
    #[default]
    Week,
    Month,
    Quarter,
}

impl Zoom {
    pub const ALL: [Zoom; 4] = [Zoom::Day, Zoom::Week, Zoom::Month, Zoom::Quarter];

    /// `day`, `week`, `month` or `quarter` (case-insensitive, surrounding blanks ignored).
    pub fn parse(s: &str) -> Option<Zoom> {
        let s = s.trim();
        Zoom::ALL
            .into_iter()
            .find(|z| z.as_str().eq_ignore_ascii_case(s))
    }

    /// The query-string value: `day`, `week`, `month`, `quarter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Zoom::Day => "day",
            Zoom::Week => "week",
            Zoom::Month => "month",
            Zoom::Quarter => "quarter",
        }
    }

    /// A label for zoom buttons: `Day`, `Week`, `Month`, `Quarter`.
    pub fn label(self) -> &'static str {
        match self {
            Zoom::Day => "Day",
            Zoom::Week => "Week",
            Zoom::Month => "Month",
            Zoom::Quarter => "Quarter",
        }
    }

    /// Horizontal scale of the timeline.
    pub fn px_per_day(self) -> f64 {
        match self {
            Zoom::Day => 24.0,
            Zoom::Week => 14.0,
            Zoom::Month => 4.0,
            Zoom::Quarter => 1.5,
        }
    }

    /// The window is widened to whole periods of this unit: the lower tier, except that the
    /// quarter zoom snaps to months (whole quarters would waste up to 89 days of width).
    fn snap(self) -> Unit {
        match self {
            Zoom::Quarter => Unit::Month,
            z => z.tiers().1,
        }
    }

    /// (upper tier, lower tier) of the time scale.
    fn tiers(self) -> (Unit, Unit) {
        match self {
            Zoom::Day => (Unit::Week, Unit::Day),
            Zoom::Week => (Unit::Month, Unit::Week),
            Zoom::Month => (Unit::Year, Unit::Month),
            Zoom::Quarter => (Unit::Year, Unit::Quarter),
        }
    }
}

/// Link type: which end of the predecessor drives which end of the successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Finish-to-start.
    Fs,
    /// Start-to-start.
    Ss,
    /// Finish-to-finish.
    Ff,
    /// Start-to-finish.
    Sf,
}

impl Kind {
    /// `FS`, `SS`, `FF`, `SF`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Fs => "FS",
            Kind::Ss => "SS",
            Kind::Ff => "FF",
            Kind::Sf => "SF",
        }
    }

    /// The arrow leaves the predecessor's end (else its start).
    fn leaves_end(self) -> bool {
        matches!(self, Kind::Fs | Kind::Ff)
    }

    /// The arrow reaches the successor's end (else its start).
    fn reaches_end(self) -> bool {
        matches!(self, Kind::Ff | Kind::Sf)
    }
}

/// One row of the chart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GanttRow {
    /// Task id shown in the label column.
    pub uid: u32,
    /// Task name.
    pub label: String,
    /// Outline level, 1 = top (the label is indented by level).
    pub level: u8,
    /// Summary bar (bracket-shaped), may be collapsed.
    pub summary: bool,
    /// A summary whose children are hidden (▸ instead of ▾).
    pub collapsed: bool,
    /// Diamond at `finish`.
    pub milestone: bool,
    /// On the critical path: class `critical`.
    pub critical: bool,
    /// A task of another project shown because of a cross-project link (class `external`).
    pub external: bool,
    /// Minutes since 1970-01-01T00:00, local time.
    pub start: i64,
    pub finish: i64,
    /// Baseline start/finish: a thin shadow bar under the main bar.
    pub baseline: Option<(i64, i64)>,
    /// 0..=100 (larger values are drawn as 100).
    pub percent_complete: u8,
    /// Link on the label (e.g. edit the task). Only site-relative and http(s) links are kept.
    pub href: Option<String>,
    /// For summaries: link that collapses / expands it, put around the ▾/▸ triangle.
    pub toggle_href: Option<String>,
}

/// A link between two visible rows (indices into [`GanttInput::rows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GanttLink {
    pub from: usize,
    pub to: usize,
    pub kind: Kind,
    pub critical: bool,
}

/// Everything [`render`] needs.
#[derive(Debug, Clone)]
pub struct GanttInput<'a> {
    /// Only the visible rows (the page paginates big plans).
    pub rows: &'a [GanttRow],
    /// Links between visible rows; out-of-range indices and self-links are skipped.
    pub links: &'a [GanttLink],
    pub zoom: Zoom,
    /// Time window in minutes. It is widened to whole periods of the lower tier and clamped
    /// to [`MAX_TIMELINE_W`] pixels.
    pub from: i64,
    pub to: i64,
    /// Vertical "today" line (class `today`).
    pub today: Option<i64>,
    /// Vertical status-date line (class `status-date`).
    pub status_date: Option<i64>,
    /// Accessible name (aria-label and `<title>`).
    pub title: String,
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, days since 1970-01-01)

const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month 1..=12, day 1..=31) of a day number.
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// 0 = Monday … 6 = Sunday.
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

fn clamp_t(t: i64) -> i64 {
    t.clamp(MIN_DAY * MIN_PER_DAY, (MAX_DAY + 1) * MIN_PER_DAY)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(m: i64) -> &'static str {
    MONTHS[(m.clamp(1, 12) - 1) as usize]
}

fn month_abbr(m: i64) -> &'static str {
    &month_name(m)[..3]
}

/// A period of a time-scale tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    /// First day of the period containing `d`.
    fn floor(self, d: i64) -> i64 {
        match self {
            Unit::Day => d,
            Unit::Week => d - weekday(d),
            Unit::Month => {
                let (y, m, _) = civil(d);
                days_from_civil(y, m, 1)
            }
            Unit::Quarter => {
                let (y, m, _) = civil(d);
                days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)
            }
            Unit::Year => days_from_civil(civil(d).0, 1, 1),
        }
    }

    /// First day of the next period, given the first day `d` of one.
    fn next(self, d: i64) -> i64 {
        let months = |n: i64| {
            let (y, m, _) = civil(d);
            let k = y * 12 + (m - 1) + n;
            days_from_civil(k.div_euclid(12), k.rem_euclid(12) + 1, 1)
        };
        match self {
            Unit::Day => d + 1,
            Unit::Week => d + 7,
            Unit::Month => months(1),
            Unit::Quarter => months(3),
            Unit::Year => days_from_civil(civil(d).0 + 1, 1, 1),
        }
    }

    /// Label variant `v` (0 = longest) of the period starting on `d`, into `out`; false when
    /// there are no more variants. `upper`: the period is in the upper tier.
    fn label(self, d: i64, upper: bool, v: usize, out: &mut String) -> bool {
        out.clear();
        let (y, m, dd) = civil(d);
        let _ = match (self, upper, v) {
            (Unit::Day, _, 0) => write!(out, "{dd}"),
            (Unit::Week, true, 0) => write!(out, "Week of {dd} {} {y}", month_abbr(m)),
            (Unit::Week, true, 1) => write!(out, "{dd} {} {y}", month_abbr(m)),
            (Unit::Week, true, 2) | (Unit::Week, false, 0) => {
                write!(out, "{dd} {}", month_abbr(m))
            }
            (Unit::Week, false, 1) => write!(out, "{dd}"),
            (Unit::Month, true, 0) => write!(out, "{} {y}", month_name(m)),
            (Unit::Month, true, 1) => write!(out, "{} {y}", month_abbr(m)),
            (Unit::Month, true, 2) | (Unit::Month, false, 1) => write!(out, "{}", month_abbr(m)),
            (Unit::Month, false, 0) => write!(out, "{}", month_name(m)),
            (Unit::Month, false, 2) => write!(out, "{}", &month_name(m)[..1]),
            (Unit::Quarter, true, 0) => write!(out, "Q{} {y}", (m - 1) / 3 + 1),
            (Unit::Quarter, true, 1) | (Unit::Quarter, false, 0) => {
                write!(out, "Q{}", (m - 1) / 3 + 1)
            }
            (Unit::Year, _, 0) => write!(out, "{y}"),
            (Unit::Year, _, 1) => write!(out, "’{:02}", y.rem_euclid(100)),
            _ => return false,
        };
        true
    }
}

// ---------------------------------------------------------------------------------------------
// Formatting without allocation

/// A coordinate: one decimal, never NaN or infinite.
#[derive(Clone, Copy)]
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = if self.0.is_finite() {
            self.0.clamp(-1e12, 1e12)
        } else {
            0.0
        };
        let t = (v * 10.0).round() as i64;
        if t % 10 == 0 {
            write!(f, "{}", t / 10)
        } else {
            let a = t.unsigned_abs();
            let sign = if t < 0 { "-" } else { "" };
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        }
    }
}

/// The civil date (`2027-01-04`) of a day number.
struct Ymd(i64);

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Day of an instant (minutes).
fn day_of(t: i64) -> i64 {
    clamp_t(t).div_euclid(MIN_PER_DAY)
}

/// Day shown as a finish: a finish at midnight ends the day before.
fn finish_day(start: i64, finish: i64) -> i64 {
    let f = clamp_t(finish);
    if f > clamp_t(start) && f.rem_euclid(MIN_PER_DAY) == 0 {
        day_of(f) - 1
    } else {
        day_of(f)
    }
}

/// XML-escaped text (same rules as `charts::esc`: `& < > " '` escaped, control characters
/// other than tab/newline/CR and U+FFFE/U+FFFF dropped), trimmed and cut to `max` characters
/// with a trailing ellipsis.
struct Esc<'a>(&'a str, usize);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.trim();
        let max = self.1.max(1);
        let cut = s.chars().nth(max).is_some();
        let keep = if cut { max - 1 } else { max };
        let mut flushed = 0;
        let mut end = s.len();
        for (n, (i, c)) in s.char_indices().enumerate() {
            if n == keep {
                end = i;
                break;
            }
            let rep = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\t' | '\n' | '\r' => continue,
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => "",
                _ => continue,
            };
            f.write_str(&s[flushed..i])?;
            f.write_str(rep)?;
            flushed = i + c.len_utf8();
        }
        let tail = &s[flushed..end];
        if cut {
            f.write_str(tail.trim_end())?;
            f.write_str("…")
        } else {
            f.write_str(tail)
        }
    }
}

fn esc(s: &str) -> Esc<'_> {
    Esc(s, usize::MAX)
}

/// Only site-relative and http(s) links (as in `charts.rs`): a hostile `javascript:` href is
/// dropped. Returns the trimmed link, still to be escaped.
fn safe_href(href: Option<&str>) -> Option<&str> {
    let h = href?.trim();
    let ok = h.starts_with('/') && !h.starts_with("//")
        || h.starts_with('#')
        || h.starts_with('?')
        || h.get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        || h.get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("http://"));
    (ok && !h.is_empty()).then_some(h)
}

// ---------------------------------------------------------------------------------------------
// Rendering

const FONT: &str =
    r#"font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12""#;

fn open(out: &mut String, w: f64, h: f64, title: &str) {
    let t = Esc(title, TITLE_MAX);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}" {FONT}><title>{t}</title>"#,
        w = N(w),
        h = N(h),
    );
}

fn empty(title: &str) -> String {
    let (w, h) = (420.0, 64.0);
    let mut s = String::with_capacity(512);
    open(&mut s, w, h, title);
    let _ = write!(
        s,
        r#"<rect class="bg" x="0" y="0" width="{w}" height="{h}"/><text class="no-data" x="{}" y="{}" text-anchor="middle" dominant-baseline="middle">No tasks yet</text></svg>"#,
        N(w / 2.0),
        N(h / 2.0),
        w = N(w),
        h = N(h),
    );
    s
}

/// The time window, in whole days, and its horizontal scale.
#[derive(Clone, Copy)]
struct Frame {
    d0: i64,
    d1: i64,
    ppd: f64,
}

impl Frame {
    fn new(zoom: Zoom, from: i64, to: i64) -> Frame {
        let (a, b) = (clamp_t(from.min(to)), clamp_t(from.max(to)));
        let unit = zoom.snap();
        let d0 = unit.floor(a.div_euclid(MIN_PER_DAY));
        let last = (b + MIN_PER_DAY - 1).div_euclid(MIN_PER_DAY).max(d0 + 1) - 1;
        let mut d1 = unit.next(unit.floor(last));
        let ppd = zoom.px_per_day();
        let max_days = (MAX_TIMELINE_W / ppd).floor() as i64;
        if d1 - d0 > max_days {
            d1 = d0 + max_days;
        }
        Frame { d0, d1, ppd }
    }

    fn t0(self) -> i64 {
        self.d0 * MIN_PER_DAY
    }

    fn t1(self) -> i64 {
        self.d1 * MIN_PER_DAY
    }

    fn width(self) -> f64 {
        (self.d1 - self.d0) as f64 * self.ppd
    }

    /// x of an instant, clamped to the window.
    fn x(self, t: i64) -> f64 {
        let t = t.clamp(self.t0(), self.t1());
        LABEL_W + (t - self.t0()) as f64 * self.ppd / MIN_PER_DAY as f64
    }

    fn xd(self, d: i64) -> f64 {
        self.x(d.saturating_mul(MIN_PER_DAY))
    }

    /// The span `[s, f]` shows at least partly inside the window.
    fn shows(self, s: i64, f: i64) -> bool {
        f >= self.t0() && s <= self.t1()
    }
}

/// Horizontal anchor points (left, right) of a row's mark, for links.
fn anchors(fr: Frame, r: &GanttRow) -> (f64, f64) {
    if r.milestone {
        let x = fr.x(r.finish);
        (x - 6.0, x + 6.0)
    } else {
        let (s, f) = (r.start.min(r.finish), r.start.max(r.finish));
        let (a, b) = (fr.x(s), fr.x(f));
        (a, b.max(a + 2.0))
    }
}

fn row_y(i: usize) -> f64 {
    HEAD + ROW * i as f64
}

/// Vertical centre of the marks of row `i`.
fn mid_y(i: usize) -> f64 {
    row_y(i) + 9.5
}

/// Renders the chart. Pure and allocation-light: one output `String`.
pub fn render(input: &GanttInput) -> String {
    let rows = input.rows;
    if rows.is_empty() {
        return empty(&input.title);
    }
    let zoom = input.zoom;
    let fr = Frame::new(zoom, input.from, input.to);
    let (upper, lower) = zoom.tiers();
    let n = rows.len();
    let rows_bottom = row_y(n);
    let w = LABEL_W + fr.width() + PAD_R;
    let h = rows_bottom + FOOT;
    let (x0, x1) = (LABEL_W, LABEL_W + fr.width());

    let mut s = String::with_capacity(8192 + n * 720 + input.links.len() * 200);
    open(&mut s, w, h, &input.title);
    s.push_str(concat!(
        r#"<defs>"#,
        r#"<marker id="gantt-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path class="arrowhead" d="M0 0L8 4L0 8Z"/></marker>"#,
        r#"<marker id="gantt-arrow-critical" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path class="arrowhead critical" d="M0 0L8 4L0 8Z"/></marker>"#,
        r#"<pattern id="gantt-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="hatch-bg" x="0" y="0" width="6" height="6"/><line class="hatch" x1="1" y1="0" x2="1" y2="6"/></pattern>"#,
        r#"</defs>"#
    ));
    let _ = write!(
        s,
        r#"<rect class="bg" x="0" y="0" width="{}" height="{}"/><rect class="header-bg" x="0" y="0" width="{}" height="{}"/>"#,
        N(w),
        N(h),
        N(w),
        N(HEAD)
    );

    // Row bands.
    s.push_str(r#"<g class="rows">"#);
    for i in (1..n).step_by(2) {
        let _ = write!(
            s,
            r#"<rect class="row-alt" x="0" y="{}" width="{}" height="{}"/>"#,
            N(row_y(i)),
            N(w),
            N(ROW)
        );
    }
    s.push_str("</g>");

    // Weekends (Day zoom only), through the lower tier of the header and all rows.
    if zoom == Zoom::Day {
        s.push_str(r#"<g class="weekends">"#);
        let mut d = fr.d0 - weekday(fr.d0) + 5; // the Saturday of the first week
        while d < fr.d1 {
            let (a, b) = (d.max(fr.d0), (d + 2).min(fr.d1));
            if b > a {
                let _ = write!(
                    s,
                    r#"<rect class="weekend" x="{}" y="{}" width="{}" height="{}"/>"#,
                    N(fr.xd(a)),
                    N(TIER),
                    N(fr.xd(b) - fr.xd(a)),
                    N(rows_bottom - TIER)
                );
            }
            d += 7;
        }
        s.push_str("</g>");
    }

    // Gridlines: lower-tier boundaries light (from the lower tier down), upper-tier ones
    // stronger (from the top down).
    s.push_str(r#"<g class="grid">"#);
    for (unit, major) in [(lower, false), (upper, true)] {
        let mut d = unit.floor(fr.d0);
        while d < fr.d1 {
            if d > fr.d0 && (major || upper.floor(d) != d) {
                let x = N(fr.xd(d));
                let _ = write!(
                    s,
                    r#"<line class="{}" x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
                    if major { "major" } else { "minor" },
                    N(if major { 0.0 } else { TIER }),
                    N(rows_bottom)
                );
            }
            d = unit.next(d);
        }
    }
    s.push_str("</g>");

    // Time scale: two tiers of labels.
    s.push_str(r#"<g class="scale">"#);
    let mut lab = String::with_capacity(32);
    for (unit, is_upper) in [(upper, true), (lower, false)] {
        let baseline_y = if is_upper { TIER - 6.0 } else { HEAD - 6.0 };
        let class = if is_upper {
            "scale-label major"
        } else {
            "scale-label"
        };
        let mut d = unit.floor(fr.d0);
        while d < fr.d1 {
            let next = unit.next(d);
            let (xa, xb) = (fr.xd(d.max(fr.d0)), fr.xd(next.min(fr.d1)));
            let room = xb - xa - 4.0;
            let mut v = 0;
            while unit.label(d, is_upper, v, &mut lab) {
                let tw = lab.chars().count() as f64 * CHAR_W;
                if tw <= room {
                    let _ = write!(
                        s,
                        r#"<text class="{class}" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                        N((xa + xb) / 2.0),
                        N(baseline_y),
                        esc(&lab)
                    );
                    break;
                }
                v += 1;
            }
            d = next;
        }
    }
    let _ = write!(
        s,
        r#"<line class="head-line" x1="{x0}" y1="{t}" x2="{x1}" y2="{t}"/><line class="head-line" x1="0" y1="{hd}" x2="{x1}" y2="{hd}"/></g>"#,
        x0 = N(x0),
        x1 = N(x1),
        t = N(TIER),
        hd = N(HEAD)
    );

    // Label column.
    let _ = write!(
        s,
        r#"<g class="labels"><text class="col-head" x="{}" y="{ty}" text-anchor="end">ID</text><text class="col-head" x="{}" y="{ty}">Task name</text><line class="divider" x1="{lw}" y1="0" x2="{lw}" y2="{}"/>"#,
        N(UID_W - 8.0),
        N(UID_W + 14.0),
        N(rows_bottom),
        lw = N(LABEL_W),
        ty = N(HEAD - 14.0),
    );
    for (i, r) in rows.iter().enumerate() {
        let ty = N(row_y(i) + 15.0);
        let _ = write!(
            s,
            r#"<text class="uid" x="{}" y="{ty}" text-anchor="end">{}</text>"#,
            N(UID_W - 8.0),
            r.uid
        );
        let indent = UID_W + INDENT * f64::from(r.level.clamp(1, 12) - 1);
        if r.summary {
            let (tri, verb) = if r.collapsed {
                ("▸", "Expand")
            } else {
                ("▾", "Collapse")
            };
            let tri_el = format_args!(
                r#"<text class="toggle" x="{}" y="{ty}">{tri}<title>{verb}</title></text>"#,
                N(indent)
            );
            match safe_href(r.toggle_href.as_deref()) {
                Some(hr) => {
                    let _ = write!(
                        s,
                        r#"<a class="toggle-link" href="{}" aria-label="{verb} {}">{tri_el}</a>"#,
                        esc(hr),
                        Esc(&r.label, 60)
                    );
                }
                None => {
                    let _ = write!(s, "{tri_el}");
                }
            }
        }
        let name_x = indent + 14.0;
        let char_w = if r.summary { CHAR_W * 1.2 } else { CHAR_W };
        let max_chars = (((LABEL_W - 6.0 - name_x) / char_w).floor() as usize).max(4);
        let class = match (r.summary, r.external) {
            (true, true) => "task-name summary external",
            (true, false) => "task-name summary",
            (false, true) => "task-name external",
            (false, false) => "task-name",
        };
        let name_el = format_args!(
            r#"<text class="{class}" x="{}" y="{ty}">{}<title>{}</title></text>"#,
            N(name_x),
            Esc(&r.label, max_chars),
            Esc(&r.label, TITLE_MAX)
        );
        match safe_href(r.href.as_deref()) {
            Some(hr) => {
                let _ = write!(s, r#"<a href="{}">{name_el}</a>"#, esc(hr));
            }
            None => {
                let _ = write!(s, "{name_el}");
            }
        }
    }
    s.push_str("</g>");

    // Links, under the bars.
    s.push_str(r#"<g class="links">"#);
    for l in input.links {
        let (Some(a), Some(b)) = (rows.get(l.from), rows.get(l.to)) else {
            continue;
        };
        if l.from == l.to {
            continue;
        }
        let (al, ar) = anchors(fr, a);
        let (bl, br) = anchors(fr, b);
        let (xs, ds) = if l.kind.leaves_end() {
            (ar, 1.0)
        } else {
            (al, -1.0)
        };
        // dt: direction the arrow points when it reaches the successor.
        let (xt, dt) = if l.kind.reaches_end() {
            (br, -1.0)
        } else {
            (bl, 1.0)
        };
        let (ys, yt) = (mid_y(l.from), mid_y(l.to));
        let exit = xs + ds * GAP;
        let entry = xt - dt * GAP;
        let fits = |x: f64| ds * (x - xs) >= GAP - 0.01 && dt * (xt - x) >= GAP - 0.01;
        let crit = l.critical;
        let _ = write!(
            s,
            r#"<path class="{}" marker-end="url(#{})" d="M{} {}"#,
            if crit { "link critical" } else { "link" },
            if crit {
                "gantt-arrow-critical"
            } else {
                "gantt-arrow"
            },
            N(xs),
            N(ys)
        );
        if fits(exit) || fits(entry) {
            let x = if fits(exit) { exit } else { entry };
            let _ = write!(s, "H{}V{}H{}", N(x), N(yt), N(xt));
        } else {
            // Around: out of the predecessor, along the row boundary, into the successor.
            let ymid = if yt > ys {
                row_y(l.from) + ROW
            } else {
                row_y(l.from)
            };
            let _ = write!(
                s,
                "H{}V{}H{}V{}H{}",
                N(exit),
                N(ymid),
                N(entry),
                N(yt),
                N(xt)
            );
        }
        let _ = write!(
            s,
            r#""><title>{} → {} ({})</title></path>"#,
            Esc(&a.label, 60),
            Esc(&b.label, 60),
            l.kind.as_str()
        );
    }
    s.push_str("</g>");

    // Bars.
    s.push_str(r#"<g class="bars">"#);
    for (i, r) in rows.iter().enumerate() {
        let y = row_y(i);
        let (start, finish) = if r.milestone {
            (r.finish, r.finish)
        } else {
            (r.start.min(r.finish), r.start.max(r.finish))
        };
        let mods = match (r.critical, r.external) {
            (true, true) => " critical external",
            (true, false) => " critical",
            (false, true) => " external",
            (false, false) => "",
        };
        if let Some((bs, bf)) = r.baseline {
            let (bs, bf) = (bs.min(bf), bs.max(bf));
            if fr.shows(bs, bf) {
                if r.milestone {
                    let (cx, cy) = (fr.x(bf), y + 18.0);
                    let _ = write!(
                        s,
                        r#"<path class="baseline" d="M{} {}l3.5 3.5l-3.5 3.5l-3.5 -3.5Z"><title>Baseline: {}</title></path>"#,
                        N(cx),
                        N(cy - 3.5),
                        Ymd(day_of(bf))
                    );
                } else {
                    let (a, b) = (fr.x(bs), fr.x(bf));
                    let _ = write!(
                        s,
                        r#"<rect class="baseline" x="{}" y="{}" width="{}" height="4"><title>Baseline: {} → {}</title></rect>"#,
                        N(a),
                        N(y + 16.0),
                        N((b - a).max(2.0)),
                        Ymd(day_of(bs)),
                        Ymd(finish_day(bs, bf))
                    );
                }
            }
        }
        if !fr.shows(start, finish) {
            continue;
        }
        let pct = r.percent_complete.min(100);
        let name = Esc(&r.label, TITLE_MAX);
        if r.milestone {
            let (cx, cy) = (fr.x(finish), mid_y(i));
            let _ = write!(
                s,
                r#"<path class="milestone{mods}" d="M{} {}l6 6l-6 6l-6 -6Z"><title>{name}: {} (milestone)</title></path>"#,
                N(cx),
                N(cy - 6.0),
                Ymd(day_of(finish)),
            );
            continue;
        }
        let (a, b) = (fr.x(start), fr.x(finish));
        let bw = (b - a).max(2.0);
        let tip = format_args!(
            "<title>{name}: {} → {} ({pct}%)</title>",
            Ymd(day_of(start)),
            Ymd(finish_day(start, finish))
        );
        if r.summary {
            let top = y + 4.0;
            if bw >= 12.0 {
                let _ = write!(
                    s,
                    r#"<path class="summary{mods}" d="M{} {}H{}V{}l-5 -5H{}l-5 5Z">{tip}</path>"#,
                    N(a),
                    N(top),
                    N(a + bw),
                    N(top + 11.0),
                    N(a + 5.0),
                );
            } else {
                let _ = write!(
                    s,
                    r#"<rect class="summary{mods}" x="{}" y="{}" width="{}" height="6">{tip}</rect>"#,
                    N(a),
                    N(top),
                    N(bw)
                );
            }
        } else {
            let _ = write!(
                s,
                r#"<rect class="bar{mods}" x="{}" y="{}" width="{}" height="11" rx="2">{tip}</rect>"#,
                N(a),
                N(y + 4.0),
                N(bw)
            );
            if pct > 0 {
                let _ = write!(
                    s,
                    r#"<rect class="progress{}" x="{}" y="{}" width="{}" height="3"/>"#,
                    if r.critical { " critical" } else { "" },
                    N(a),
                    N(y + 8.0),
                    N(bw * f64::from(pct) / 100.0)
                );
            }
        }
    }
    s.push_str("</g>");

    // Today and status date: the earlier line's label goes left of it, the later one's right.
    let inside = |t: Option<i64>| t.filter(|t| *t >= fr.t0() && *t <= fr.t1());
    let (today, status) = (inside(input.today), inside(input.status_date));
    let (today_anchor, status_anchor) = match (today, status) {
        (Some(t), Some(sd)) if sd <= t => ("start", "end"),
        (Some(_), Some(_)) => ("end", "start"),
        _ => ("middle", "middle"),
    };
    for (t, line, label, word, anchor) in [
        (today, "today", "today-label", "Today", today_anchor),
        (
            status,
            "status-date",
            "status-label",
            "Status date",
            status_anchor,
        ),
    ] {
        let Some(t) = t else { continue };
        let x = fr.x(t);
        let dx = match anchor {
            "start" => 3.0,
            "end" => -3.0,
            _ => 0.0,
        };
        let _ = write!(
            s,
            r#"<g class="{line}-group"><line class="{line}" x1="{x}" y1="{}" x2="{x}" y2="{}"><title>{word}: {}</title></line><text class="{label}" x="{}" y="{}" text-anchor="{anchor}">{word}</text></g>"#,
            N(HEAD),
            N(rows_bottom + 4.0),
            Ymd(day_of(t)),
            N(x + dx),
            N(h - 5.0),
            x = N(x),
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minutes at midnight starting the given day.
    fn at(y: i64, m: i64, d: i64) -> i64 {
        days_from_civil(y, m, d) * MIN_PER_DAY
    }

    /// 08:00 to 17:00 working day bounds.
    fn am(y: i64, m: i64, d: i64) -> i64 {
        at(y, m, d) + 8 * 60
    }

    fn pm(y: i64, m: i64, d: i64) -> i64 {
        at(y, m, d) + 17 * 60
    }

    fn task(uid: u32, label: &str, start: i64, finish: i64) -> GanttRow {
        GanttRow {
            uid,
            label: label.into(),
            level: 1,
            start,
            finish,
            href: Some(format!("/tasks/{uid}")),
            ..GanttRow::default()
        }
    }

    fn input<'a>(rows: &'a [GanttRow], links: &'a [GanttLink], zoom: Zoom) -> GanttInput<'a> {
        GanttInput {
            rows,
            links,
            zoom,
            from: at(2027, 1, 1),
            to: at(2027, 3, 31),
            today: None,
            status_date: None,
            title: "Gantt chart".into(),
        }
    }

    /// A small well-formedness check (as in `charts.rs`): balanced tags, quoted attributes
    /// without `<`, no duplicate attributes, only known entities, a single root element.
    fn well_formed(s: &str) -> Result<(), String> {
        let mut stack: Vec<&str> = Vec::new();
        let mut roots = 0;
        let mut rest = s;
        let check_text = |t: &str| -> Result<(), String> {
            for part in t.split('&').skip(1) {
                let Some((ent, _)) = part.split_once(';') else {
                    return Err(format!("bare & in {t:?}"));
                };
                let ok = matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos")
                    || ent
                        .strip_prefix('#')
                        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(format!("unknown entity &{ent};"));
                }
            }
            if t.contains('>') {
                return Err(format!("raw > in text {t:?}"));
            }
            Ok(())
        };
        while let Some(lt) = rest.find('<') {
            let text = &rest[..lt];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root: {text:?}"));
            }
            check_text(text)?;
            let after = &rest[lt + 1..];
            let mut in_q = false;
            let mut end = None;
            for (i, c) in after.char_indices() {
                match c {
                    '"' => in_q = !in_q,
                    '>' if !in_q => {
                        end = Some(i);
                        break;
                    }
                    '<' => return Err("< inside a tag or attribute".into()),
                    _ => {}
                }
            }
            let end = end.ok_or("unterminated tag")?;
            let tag = &after[..end];
            rest = &after[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack
                    .pop()
                    .ok_or_else(|| format!("close {name} without open"))?;
                if open != name.trim() {
                    return Err(format!("close {name} for open {open}"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
            let name = &body[..name_end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(format!("bad tag name {name:?}"));
            }
            let mut attrs = body[name_end..].trim();
            let mut seen = Vec::new();
            while !attrs.is_empty() {
                let eq = attrs
                    .find('=')
                    .ok_or_else(|| format!("attribute without value in <{name}>"))?;
                let an = attrs[..eq].trim();
                if an.is_empty() || an.contains(char::is_whitespace) {
                    return Err(format!("bad attribute name {an:?}"));
                }
                if an == "style" {
                    return Err("inline style attribute".into());
                }
                if seen.contains(&an) {
                    return Err(format!("duplicate attribute {an}"));
                }
                seen.push(an);
                let v = attrs[eq + 1..]
                    .strip_prefix('"')
                    .ok_or("unquoted attribute")?;
                let close = v.find('"').ok_or("unterminated attribute")?;
                check_text(&v[..close])?;
                attrs = v[close + 1..].trim_start();
            }
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name);
            }
        }
        if !rest.trim().is_empty() {
            return Err("text after the root".into());
        }
        if !stack.is_empty() {
            return Err(format!("unclosed {stack:?}"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    /// Well-formed, accessible, sized, no NaN/inf, no inline styles.
    fn sound(svg: &str) {
        well_formed(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" class="gantt""#));
        assert!(svg.ends_with("</svg>"));
        for attr in [
            r#"role="img""#,
            "aria-label=",
            "viewBox=",
            "width=",
            "height=",
        ] {
            assert!(svg.contains(attr), "{attr} missing");
        }
        assert!(svg.contains("<title>"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(!svg.contains("style="));
    }

    fn count(hay: &str, needle: &str) -> usize {
        hay.matches(needle).count()
    }

    /// The `d` attribute of the only link path.
    fn link_d(svg: &str) -> &str {
        let i = svg.find(r#"<path class="link"#).expect("a link path");
        let rest = &svg[i..];
        let d = &rest[rest.find(" d=\"").unwrap() + 4..];
        &d[..d.find('"').unwrap()]
    }

    /// All numbers of a path, in order.
    fn nums(d: &str) -> Vec<f64> {
        d.split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().unwrap())
            .collect()
    }

    fn two_tasks() -> Vec<GanttRow> {
        vec![
            task(1, "Design", am(2027, 1, 4), pm(2027, 1, 8)),
            task(2, "Build", am(2027, 1, 18), pm(2027, 1, 29)),
        ]
    }

    #[test]
    fn civil_dates_agree_with_jiff() {
        for z in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil(z);
            let j = jiff::civil::date(1970, 1, 1)
                .checked_add(jiff::Span::new().days(z))
                .unwrap();
            assert_eq!(
                (y, m, d),
                (
                    i64::from(j.year()),
                    i64::from(j.month()),
                    i64::from(j.day())
                )
            );
            assert_eq!(days_from_civil(y, m, d), z);
            assert_eq!(
                weekday(z),
                i64::from(j.weekday().to_monday_zero_offset()),
                "{j}"
            );
        }
    }

    #[test]
    fn zoom_parse_and_as_str_round_trip() {
        for z in Zoom::ALL {
            assert_eq!(Zoom::parse(z.as_str()), Some(z));
            assert_eq!(
                Zoom::parse(&format!(" {} ", z.label().to_uppercase())),
                Some(z)
            );
        }
        assert_eq!(Zoom::parse("year"), None);
        assert_eq!(Zoom::parse(""), None);
    }

    #[test]
    fn each_link_kind_produces_a_path_from_the_right_ends() {
        let rows = two_tasks();
        let fr = Frame::new(Zoom::Week, at(2027, 1, 1), at(2027, 3, 31));
        let (a0, a1) = (fr.x(rows[0].start), fr.x(rows[0].finish));
        let (b0, b1) = (fr.x(rows[1].start), fr.x(rows[1].finish));
        for (kind, xs, xt) in [
            (Kind::Fs, a1, b0),
            (Kind::Ss, a0, b0),
            (Kind::Ff, a1, b1),
            (Kind::Sf, a0, b1),
        ] {
            let links = [GanttLink {
                from: 0,
                to: 1,
                kind,
                critical: false,
            }];
            let svg = render(&input(&rows, &links, Zoom::Week));
            sound(&svg);
            assert_eq!(count(&svg, r#"<path class="link""#), 1, "{kind:?}");
            assert!(svg.contains(r#"marker-end="url(#gantt-arrow)""#));
            assert!(svg.contains(&format!(
                "<title>Design → Build ({})</title>",
                kind.as_str()
            )));
            let d = link_d(&svg);
            let v = nums(d);
            assert!(
                (v[0] - xs).abs() < 0.06,
                "{kind:?} starts at {} not {xs}: {d}",
                v[0]
            );
            assert!((v[1] - mid_y(0)).abs() < 0.06, "{d}");
            assert!(
                (v[v.len() - 1] - xt).abs() < 0.06,
                "{kind:?} ends at x {xt}: {d}"
            );
            // Orthogonal: only H and V segments after the move.
            assert!(
                d[1..]
                    .chars()
                    .filter(|c| c.is_ascii_alphabetic())
                    .all(|c| c == 'H' || c == 'V'),
                "{d}"
            );
        }
    }

    #[test]
    fn a_backward_link_goes_around() {
        // The successor starts before the predecessor ends: FS needs five segments.
        let rows = vec![
            task(1, "Late", am(2027, 2, 1), pm(2027, 2, 5)),
            task(2, "Early", am(2027, 1, 4), pm(2027, 1, 8)),
        ];
        let links = [GanttLink {
            from: 0,
            to: 1,
            kind: Kind::Fs,
            critical: false,
        }];
        let svg = render(&input(&rows, &links, Zoom::Week));
        sound(&svg);
        let d = link_d(&svg);
        assert_eq!(d.matches('H').count(), 3, "{d}");
        assert_eq!(d.matches('V').count(), 2, "{d}");
        // The detour runs along the boundary under the predecessor's row.
        assert!(d.contains(&format!("V{}", N(row_y(1)))), "{d}");
    }

    #[test]
    fn invalid_links_are_skipped() {
        let rows = two_tasks();
        let links = [
            GanttLink {
                from: 0,
                to: 0,
                kind: Kind::Fs,
                critical: false,
            },
            GanttLink {
                from: 0,
                to: 7,
                kind: Kind::Fs,
                critical: false,
            },
            GanttLink {
                from: usize::MAX,
                to: 1,
                kind: Kind::Ss,
                critical: true,
            },
        ];
        let svg = render(&input(&rows, &links, Zoom::Week));
        sound(&svg);
        assert_eq!(count(&svg, r#"<path class="link"#), 0);
    }

    #[test]
    fn critical_rows_and_links_get_the_class() {
        let mut rows = two_tasks();
        rows[0].critical = true;
        rows.push(GanttRow {
            milestone: true,
            critical: true,
            ..task(3, "Done", pm(2027, 1, 29), pm(2027, 1, 29))
        });
        rows.push(GanttRow {
            summary: true,
            critical: true,
            ..task(4, "Phase", am(2027, 1, 4), pm(2027, 1, 29))
        });
        let links = [GanttLink {
            from: 0,
            to: 1,
            kind: Kind::Fs,
            critical: true,
        }];
        let svg = render(&input(&rows, &links, Zoom::Week));
        sound(&svg);
        assert_eq!(count(&svg, r#"<rect class="bar critical""#), 1);
        assert_eq!(count(&svg, r#"<rect class="bar""#), 1);
        assert_eq!(count(&svg, r#"<path class="milestone critical""#), 1);
        assert_eq!(count(&svg, r#"<path class="summary critical""#), 1);
        assert_eq!(count(&svg, r#"<path class="link critical""#), 1);
        assert!(svg.contains(r#"marker-end="url(#gantt-arrow-critical)""#));
    }

    #[test]
    fn baseline_bars_appear_only_when_given() {
        let mut rows = two_tasks();
        let svg = render(&input(&rows, &[], Zoom::Week));
        sound(&svg);
        assert_eq!(count(&svg, r#"class="baseline""#), 0);
        rows[1].baseline = Some((am(2027, 1, 11), pm(2027, 1, 22)));
        let svg = render(&input(&rows, &[], Zoom::Week));
        sound(&svg);
        assert_eq!(count(&svg, r#"<rect class="baseline""#), 1);
        assert!(svg.contains("<title>Baseline: 2027-01-11 → 2027-01-22</title>"));
        // A baseline wholly outside the window is not drawn.
        rows[1].baseline = Some((am(2029, 1, 1), pm(2029, 1, 5)));
        let svg = render(&input(&rows, &[], Zoom::Week));
        assert_eq!(count(&svg, r#"class="baseline""#), 0);
    }

    #[test]
    fn milestone_draws_a_diamond_and_no_bar() {
        let rows = [GanttRow {
            milestone: true,
            baseline: Some((pm(2027, 1, 27), pm(2027, 1, 27))),
            ..task(9, "Go live", pm(2027, 1, 29), pm(2027, 1, 29))
        }];
        let svg = render(&input(&rows, &[], Zoom::Week));
        sound(&svg);
        assert_eq!(count(&svg, r#"<path class="milestone" d="M"#), 1);
        assert!(svg.contains("l6 6l-6 6l-6 -6Z"), "a diamond");
        assert!(svg.contains("<title>Go live: 2027-01-29 (milestone)</title>"));
        assert_eq!(count(&svg, r#"<rect class="bar"#), 0);
        assert_eq!(count(&svg, r#"<path class="baseline""#), 1);
    }

    #[test]
    fn summaries_show_their_toggle() {
        let mut rows = vec![
            GanttRow {
                summary: true,
                collapsed: true,
                toggle_href: Some("?expand=10".into()),
                ..task(10, "Phase 1", am(2027, 1, 4), pm(2027, 2, 5))
            },
            GanttRow {
                summary: true,
                toggle_href: Some("?collapse=11".into()),
                ..task(11, "Phase 2", am(2027, 2, 8), pm(2027, 3, 5))
            },
            GanttRow {
                level: 2,
                ..task(12, "Child", am(2027, 2, 8), pm(2027, 2, 12))
            },
        ];
        let svg = render(&input(&rows, &[], Zoom::Week));
        sound(&svg);
        assert!(
            svg.contains(
                r#"<a class="toggle-link" href="?expand=10" aria-label="Expand Phase 1">"#
            )
        );
        assert!(svg.contains(">▸<title>Expand</title>"));
        assert!(
            svg.contains(r#"href="?collapse=11""#) && svg.contains(">▾<title>Collapse</title>")
        );
        assert_eq!(count(&svg, r#"<path class="summary""#), 2);
        assert_eq!(count(&svg, "▸"), 1);
        // The child is indented by one level.
        assert!(svg.contains(&format!(
            r#"class="task-name" x="{}""#,
            N(UID_W + INDENT + 14.0)
        )));
        // Without a toggle link the triangle is still drawn, unlinked.
        rows[0].toggle_href = None;
        let svg = render(&input(&rows, &[], Zoom::Week));
        assert!(svg.contains(">▸<title>Expand</title>") && !svg.contains("expand=10"));
    }

    #[test]
    fn text_is_escaped_and_hostile_links_dropped() {
        let hostile = r#"<script>&""#;
        let mut rows = vec![task(1, hostile, am(2027, 1, 4), pm(2027, 1, 8))];
        rows[0].href = Some("javascript:alert(1)".into());
        rows.push(GanttRow {
            summary: true,
            toggle_href: Some("/p?a=1&b=\"x\"".into()),
            ..task(2, "ok 'q'", am(2027, 1, 4), pm(2027, 1, 8))
        });
        let links = [GanttLink {
            from: 0,
            to: 1,
            kind: Kind::Ss,
            critical: false,
        }];
        let mut inp = input(&rows, &links, Zoom::Day);
        inp.title = hostile.into();
        let svg = render(&inp);
        sound(&svg);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;&amp;&quot;"));
        assert!(!svg.contains("javascript:"));
        assert!(svg.contains(r#"href="/p?a=1&amp;b=&quot;x&quot;""#));
        assert!(svg.contains("ok &#39;q&#39;"));
    }

    #[test]
    fn long_names_are_cut_in_the_column_but_whole_in_the_tooltip() {
        let long = "A remarkably long task name that cannot possibly fit in the label column";
        let rows = [task(1, long, am(2027, 1, 4), pm(2027, 1, 8))];
        let svg = render(&input(&rows, &[], Zoom::Week));
        sound(&svg);
        assert!(svg.contains("…<title>A remarkably long task name that cannot possibly fit in the label column</title>"));
    }

    #[test]
    fn empty_rows_render_a_small_valid_svg() {
        let svg = render(&input(&[], &[], Zoom::Week));
        sound(&svg);
        assert!(svg.contains("No tasks yet"));
        assert!(svg.len() < 1000, "{}", svg.len());
    }

    #[test]
    fn tooltips_show_dates_and_percent() {
        let mut rows = two_tasks();
        rows[0].percent_complete = 40;
        rows[1].percent_complete = 250; // hostile: drawn as 100
        // A finish at midnight belongs to the day before.
        rows.push(task(3, "Midnight", at(2027, 2, 1), at(2027, 2, 6)));
        let svg = render(&input(&rows, &[], Zoom::Week));
        sound(&svg);
        assert!(svg.contains("<title>Design: 2027-01-04 → 2027-01-08 (40%)</title>"));
        assert!(svg.contains("<title>Build: 2027-01-18 → 2027-01-29 (100%)</title>"));
        assert!(svg.contains("<title>Midnight: 2027-02-01 → 2027-02-05 (0%)</title>"));
        assert_eq!(count(&svg, r#"<rect class="progress""#), 2);
    }

    #[test]
    fn zoom_headers_label_their_periods() {
        let rows = two_tasks();
        let svg = |z| {
            let s = render(&input(&rows, &[], z));
            sound(&s);
            s
        };
        let day = svg(Zoom::Day);
        assert!(day.contains(">Week of 4 Jan 2027</text>"), "{day}");
        assert!(day.contains(">18</text>"));
        let week = svg(Zoom::Week);
        // The window widens to whole weeks (28 Dec 2026 – 4 Apr 2027): four month boundaries.
        assert_eq!(count(&week, r#"<line class="major""#), 4);
        assert!(week.contains(">28 Dec</text>") && week.contains(">29 Mar</text>"));
        assert!(!week.contains(">5 Apr</text>"));
        assert!(week.contains(">January 2027</text>") && week.contains(">February 2027</text>"));
        assert!(week.contains(">11 Jan</text>"));
        let month = svg(Zoom::Month);
        assert!(month.contains(">2027</text>") && month.contains(">February</text>"));
        let quarter = svg(Zoom::Quarter);
        assert!(quarter.contains(">2027</text>") && quarter.contains(">Q1</text>"));
        // Wider zoom, narrower chart.
        let widths: Vec<usize> = [&day, &week, &month, &quarter]
            .iter()
            .map(|s| s.len())
            .collect();
        assert!(widths[0] > widths[3]);
        let w = |s: &str| -> f64 {
            let i = s.find(" width=\"").unwrap() + 8;
            s[i..i + s[i..].find('"').unwrap()].parse().unwrap()
        };
        assert!(w(&day) > w(&week) && w(&week) > w(&month) && w(&month) > w(&quarter));
    }

    #[test]
    fn weekends_are_shaded_only_at_day_zoom() {
        let rows = two_tasks();
        let mut inp = input(&rows, &[], Zoom::Day);
        inp.from = at(2027, 1, 4); // Monday
        inp.to = at(2027, 1, 17); // Sunday: two weeks
        let svg = render(&inp);
        sound(&svg);
        assert_eq!(count(&svg, r#"<rect class="weekend""#), 2);
        inp.zoom = Zoom::Week;
        assert_eq!(count(&render(&inp), r#"class="weekend""#), 0);
    }

    #[test]
    fn window_is_capped_and_degenerate_input_is_safe() {
        let mut rows = two_tasks();
        rows[0].start = i64::MIN;
        rows[0].finish = i64::MAX;
        rows[1].baseline = Some((i64::MAX, i64::MIN));
        rows[1].level = 0;
        let links = [GanttLink {
            from: 0,
            to: 1,
            kind: Kind::Sf,
            critical: false,
        }];
        for z in Zoom::ALL {
            let mut inp = input(&rows, &links, z);
            inp.from = i64::MAX;
            inp.to = i64::MIN;
            inp.today = Some(i64::MIN);
            inp.status_date = Some(i64::MAX);
            let svg = render(&inp);
            sound(&svg);
            let i = svg.find(" width=\"").unwrap() + 8;
            let w: f64 = svg[i..i + svg[i..].find('"').unwrap()].parse().unwrap();
            assert!(w <= LABEL_W + MAX_TIMELINE_W + PAD_R, "{z:?}: {w}");
            // A one-day window still renders.
            inp.from = at(2027, 1, 5);
            inp.to = at(2027, 1, 5);
            sound(&render(&inp));
        }
    }

    #[test]
    fn today_and_status_date_lines() {
        let rows = two_tasks();
        let mut inp = input(&rows, &[], Zoom::Week);
        let svg = render(&inp);
        assert!(!svg.contains(r#"class="today""#) && !svg.contains(r#"class="status-date""#));
        inp.today = Some(at(2027, 1, 20) + 600);
        inp.status_date = Some(at(2027, 1, 15));
        let svg = render(&inp);
        sound(&svg);
        assert!(
            svg.contains(r#"<line class="today""#)
                && svg.contains("<title>Today: 2027-01-20</title>")
        );
        assert!(
            svg.contains(r#"<line class="status-date""#) && svg.contains(">Status date</text>")
        );
        // Outside the window: no line.
        inp.today = Some(at(2031, 1, 1));
        assert!(!render(&inp).contains(r#"class="today""#));
    }

    #[test]
    fn external_tasks_are_marked() {
        let mut rows = two_tasks();
        rows[1].external = true;
        rows[1].label = "OTHER-7 Vendor delivery".into();
        let svg = render(&input(&rows, &[], Zoom::Week));
        sound(&svg);
        assert_eq!(count(&svg, r#"<rect class="bar external""#), 1);
        assert!(svg.contains(r#"class="task-name external""#));
        assert!(svg.contains(r#"<pattern id="gantt-hatch""#));
    }

    /// Rows of a big plan: summaries every 10 rows, milestones every 25th, some baselines.
    fn big_plan(n: usize) -> (Vec<GanttRow>, Vec<GanttLink>) {
        let base = am(2027, 1, 4);
        let rows: Vec<GanttRow> = (0..n)
            .map(|i| {
                let start = base + (i as i64 % 300) * MIN_PER_DAY;
                let dur = (1 + (i as i64 * 7) % 15) * MIN_PER_DAY;
                GanttRow {
                    uid: i as u32 + 1,
                    label: format!("Task {i} <x>"),
                    level: if i % 10 == 0 { 1 } else { 2 },
                    summary: i % 10 == 0,
                    milestone: i % 25 == 5,
                    critical: i % 3 == 0,
                    start,
                    finish: start + dur,
                    baseline: (i % 4 == 0).then_some((start - MIN_PER_DAY, start + dur)),
                    percent_complete: (i % 101) as u8,
                    href: Some(format!("/tasks/{i}")),
                    ..GanttRow::default()
                }
            })
            .collect();
        let kinds = [Kind::Fs, Kind::Ss, Kind::Ff, Kind::Sf];
        let links = (1..n)
            .flat_map(|i| {
                [GanttLink {
                    from: i - 1,
                    to: i,
                    kind: kinds[i % 4],
                    critical: i % 3 == 0,
                }]
                .into_iter()
                .chain((i % 2 == 0 && i >= 7).then(|| GanttLink {
                    from: i - 7,
                    to: i,
                    kind: Kind::Fs,
                    critical: false,
                }))
            })
            .collect();
        (rows, links)
    }

    #[test]
    fn five_thousand_rows_render_well_formed() {
        let (rows, links) = big_plan(5000);
        let mut inp = input(&rows, &links, Zoom::Week);
        inp.to = at(2028, 2, 1);
        let svg = render(&inp);
        sound(&svg);
        assert_eq!(count(&svg, "<svg"), 1);
        let milestones = rows.iter().filter(|r| r.milestone).count();
        let summaries = rows.iter().filter(|r| r.summary && !r.milestone).count();
        let tasks = rows.len() - milestones - summaries;
        assert_eq!(count(&svg, r#"<rect class="bar"#), tasks);
        assert_eq!(
            count(&svg, r#"<path class="summary"#) + count(&svg, r#"<rect class="summary"#),
            summaries
        );
        assert_eq!(count(&svg, r#"class="milestone"#), milestones);
        assert_eq!(count(&svg, r#"<path class="link"#), links.len());
        assert_eq!(
            count(&svg, r#"class="baseline""#),
            rows.iter().filter(|r| r.baseline.is_some()).count()
        );
        assert_eq!(count(&svg, r#"<text class="uid""#), rows.len());
        assert!(count(&svg, "&lt;x&gt;") >= 3 * rows.len());
        assert!(!svg.contains("<x>"));
    }

    /// A ~30-task sample plan: two phases, a milestone, a critical path, baselines, all four
    /// link kinds, an external task. With `GANTT_SAMPLE=<path.html>` it is also written to
    /// that file as a page linking `static/app.css`, to look at in a browser.
    #[test]
    fn sample_plan() {
        let d = |m, dd| am(2027, m, dd);
        let f = |m, dd| pm(2027, m, dd);
        let mut rows = Vec::new();
        let mut push = |r: GanttRow| rows.push(r);
        push(GanttRow {
            summary: true,
            toggle_href: Some("?collapse=1".into()),
            critical: true,
            percent_complete: 45,
            ..task(1, "Phase 1 — Discovery & design", d(1, 4), f(2, 12))
        });
        let p1 = [
            ("Kick-off workshop", (1, 4), (1, 5), 100, true),
            ("Stakeholder interviews", (1, 6), (1, 15), 100, true),
            ("Current-state process map", (1, 11), (1, 20), 80, false),
            ("Requirements catalogue", (1, 18), (1, 29), 60, true),
            ("Data migration analysis", (1, 18), (2, 3), 40, false),
            ("Solution architecture", (2, 1), (2, 10), 20, true),
            ("Security review", (2, 3), (2, 9), 0, false),
            ("Vendor shortlist", (1, 25), (2, 5), 50, false),
            ("Design sign-off", (2, 12), (2, 12), 0, true),
        ];
        for (i, (name, s, e, pct, crit)) in p1.iter().enumerate() {
            push(GanttRow {
                level: 2,
                critical: *crit,
                milestone: s == e,
                percent_complete: *pct,
                baseline: (i % 2 == 1)
                    .then_some((d(s.0, s.1) - 2 * MIN_PER_DAY, f(e.0, e.1) - 3 * MIN_PER_DAY)),
                ..task(2 + i as u32, name, d(s.0, s.1), f(e.0, e.1))
            });
        }
        push(GanttRow {
            summary: true,
            collapsed: true,
            toggle_href: Some("?expand=11".into()),
            baseline: Some((d(2, 8), f(3, 5))),
            ..task(11, "Phase 2 — Procurement (collapsed)", d(2, 15), f(3, 12))
        });
        push(GanttRow {
            summary: true,
            toggle_href: Some("?collapse=12".into()),
            critical: true,
            percent_complete: 5,
            ..task(12, "Phase 3 — Build & test", d(2, 15), f(4, 23))
        });
        let p3 = [
            ("Environment setup", (2, 15), (2, 19), 100, true),
            ("Core configuration", (2, 22), (3, 12), 30, true),
            ("Integrations", (3, 1), (3, 26), 10, false),
            ("Data migration scripts", (3, 1), (3, 19), 15, false),
            ("Reports & dashboards", (3, 15), (4, 2), 0, false),
            ("System test", (3, 15), (4, 2), 0, true),
            ("User acceptance test", (4, 5), (4, 16), 0, true),
            ("Training material", (3, 22), (4, 9), 0, false),
            ("Train the trainers", (4, 12), (4, 16), 0, false),
            ("Cut-over rehearsal", (4, 19), (4, 21), 0, true),
            ("Go-live", (4, 23), (4, 23), 0, true),
        ];
        for (i, (name, s, e, pct, crit)) in p3.iter().enumerate() {
            push(GanttRow {
                level: 2,
                critical: *crit,
                milestone: s == e,
                percent_complete: *pct,
                baseline: (i % 3 != 2)
                    .then_some((d(s.0, s.1) - 5 * MIN_PER_DAY, f(e.0, e.1) - 7 * MIN_PER_DAY)),
                ..task(13 + i as u32, name, d(s.0, s.1), f(e.0, e.1))
            });
        }
        push(GanttRow {
            external: true,
            label: "INFRA-42 · Network upgrade".into(),
            ..task(31, "", d(2, 22), f(3, 5))
        });
        push(GanttRow {
            level: 1,
            ..task(32, "Hypercare", d(4, 26), f(5, 7))
        });
        push(GanttRow {
            level: 1,
            summary: true,
            toggle_href: Some("?collapse=33".into()),
            ..task(33, "Project management", d(1, 4), f(5, 7))
        });
        push(GanttRow {
            level: 2,
            percent_complete: 35,
            ..task(34, "Steering committee", d(1, 4), f(5, 7))
        });
        push(GanttRow {
            level: 3,
            ..task(35, "Status reports (weekly)", d(1, 8), f(5, 7))
        });
        let idx = |uid: u32| rows.iter().position(|r| r.uid == uid).unwrap();
        let l = |a: u32, b: u32, kind: Kind, critical: bool| GanttLink {
            from: idx(a),
            to: idx(b),
            kind,
            critical,
        };
        let links = vec![
            l(2, 3, Kind::Fs, true),
            l(3, 4, Kind::Ss, false),
            l(3, 5, Kind::Fs, true),
            l(5, 6, Kind::Ss, false),
            l(5, 7, Kind::Fs, true),
            l(7, 8, Kind::Ss, false),
            l(7, 10, Kind::Fs, true),
            l(8, 10, Kind::Ff, false),
            l(9, 10, Kind::Fs, false),
            l(10, 13, Kind::Fs, true),
            l(13, 14, Kind::Fs, true),
            l(14, 15, Kind::Ss, false),
            l(14, 18, Kind::Fs, true),
            l(16, 18, Kind::Ff, false),
            l(18, 19, Kind::Fs, true),
            l(17, 19, Kind::Fs, false),
            l(20, 21, Kind::Fs, false),
            l(21, 19, Kind::Sf, false),
            l(19, 22, Kind::Fs, true),
            l(22, 23, Kind::Fs, true),
            l(31, 15, Kind::Fs, false),
            l(23, 32, Kind::Fs, false),
        ];
        let inp = GanttInput {
            rows: &rows,
            links: &links,
            zoom: Zoom::Week,
            from: at(2026, 12, 28),
            to: at(2027, 5, 16),
            today: Some(at(2027, 2, 17) + 600),
            status_date: Some(at(2027, 2, 12)),
            title: "Gantt chart: ERP rollout".into(),
        };
        let svg = render(&inp);
        sound(&svg);
        assert_eq!(rows.len(), 28);
        for kind in ["(FS)", "(SS)", "(FF)", "(SF)"] {
            assert!(svg.contains(kind), "{kind}");
        }
        assert_eq!(count(&svg, r#"<path class="link"#), links.len());
        if let Ok(path) = std::env::var("GANTT_SAMPLE") {
            let css = concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css");
            let mut page = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gantt sample</title><link rel=\"stylesheet\" href=\"file://{css}\"></head><body><main><h1>ERP rollout</h1>"
            );
            for z in [Zoom::Week, Zoom::Day, Zoom::Month, Zoom::Quarter] {
                let svg = render(&GanttInput {
                    zoom: z,
                    ..inp.clone()
                });
                let _ = write!(
                    page,
                    "<h2>{}</h2><div class=\"gantt-scroll\">{svg}</div>",
                    z.label()
                );
            }
            page.push_str("</main></body></html>");
            std::fs::write(&path, page).expect("write the sample page");
        }
    }
}
