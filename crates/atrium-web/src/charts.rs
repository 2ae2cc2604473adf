//! Server-rendered, accessible SVG charts (no JavaScript): efficient frontier, value/risk
//! bubbles, multi-project roadmap and line charts. Pure functions from data to an SVG string;
//! colours come from CSS classes (the `/* charts */` block of `static/app.css`).

use jiff::civil::Date;
use std::fmt::Write as _;

/// Width of every chart's `viewBox`; the SVG itself scales to its container.
const W: f64 = 720.0;
/// Average width of one character of 11–12px system-ui text, for layout estimates.
const CHAR_W: f64 = 6.4;

/// RAG health of a project, drawn with the classes `h-green`, `h-amber`, `h-red`, `h-unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Green,
    Amber,
    Red,
    Unknown,
}

impl Health {
    /// The CSS class colouring a mark with this health.
    pub fn class(self) -> &'static str {
        match self {
            Health::Green => "h-green",
            Health::Amber => "h-amber",
            Health::Red => "h-red",
            Health::Unknown => "h-unknown",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Health::Green => "green",
            Health::Amber => "amber",
            Health::Red => "red",
            Health::Unknown => "unknown",
        }
    }
}

/// One point of the efficient frontier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrontierDot {
    /// Total budget in major currency units.
    pub budget: f64,
    pub value: f64,
    /// False when the optimizer stopped before proving the portfolio optimal.
    pub optimal: bool,
}

/// One project of the bubble chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bubble {
    pub label: String,
    pub href: Option<String>,
    /// Value score, 0..=100.
    pub value: f64,
    /// Risk score, 0..=5.
    pub risk: f64,
    /// Cost in any unit; only the ratios matter (bubble area).
    pub cost: f64,
    pub health: Health,
}

/// One bar of the roadmap.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadmapRow {
    pub label: String,
    pub href: Option<String>,
    pub start: Date,
    /// Inclusive: the bar covers the whole finish day.
    pub finish: Date,
    pub health: Health,
    pub note: Option<String>,
}

/// One line of [`lines`]; `class` is added to the line and its legend swatch.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub class: String,
    pub points: Vec<(f64, f64)>,
}

// ---------------------------------------------------------------------------------------------
// Text and numbers

/// XML-escapes text for element content and attribute values; drops characters XML 1.0
/// forbids (control characters other than tab, newline and carriage return; U+FFFE, U+FFFF).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() && (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
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

/// A coordinate: one decimal, never NaN or infinite.
fn f(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Inserts thousands separators into the integer part of a formatted number.
fn group(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::from(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(fr) = frac {
        out.push('.');
        out.push_str(fr);
    }
    out
}

/// A figure for tooltips: grouped, at most two decimals, trailing zeros dropped.
fn fig(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let mut s = format!("{v:.2}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_string();
    }
    group(&s)
}

/// Tick labels: compact units (k, M, B) and just enough decimals for the step.
fn tick_labels(ticks: &[f64]) -> Vec<String> {
    let step = if ticks.len() >= 2 {
        (ticks[1] - ticks[0]).abs()
    } else {
        1.0
    };
    let biggest = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    let (unit, suffix) = if biggest >= 1e9 {
        (1e9, "B")
    } else if biggest >= 1e6 {
        (1e6, "M")
    } else if biggest >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let s = step / unit;
    let decimals = if s > 0.0 && s.is_finite() {
        (-(s.log10() + 1e-9).floor()).clamp(0.0, 6.0) as usize
    } else {
        0
    };
    ticks
        .iter()
        .map(|t| {
            let mut txt = format!("{:.*}", decimals, t / unit);
            if txt.trim_start_matches(['-', '0', '.']).is_empty() {
                txt = "0".to_string();
            }
            format!("{}{}", group(&txt), if txt == "0" { "" } else { suffix })
        })
        .collect()
}

/// 4–6 "nice" ticks (steps of 1, 2 or 5 × 10^k) covering `lo..=hi`.
fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    let scale = lo.abs().max(hi.abs());
    if hi - lo <= scale * 1e-9 {
        // One value (or none): centre it in a range of its own size.
        if scale == 0.0 {
            (lo, hi) = (0.0, 1.0);
        } else {
            let m = scale * 0.5;
            (lo, hi) = (lo - m, hi + m);
        }
    }
    let count = |s: f64| ((hi / s - 1e-9).ceil() - (lo / s + 1e-9).floor()) as i64 + 1;
    let mag = 10f64.powf(((hi - lo) / 5.0).log10().floor());
    let mut best: Option<(f64, i64)> = None;
    let mut fallback: Option<f64> = None;
    for k in [0.1, 1.0, 10.0, 100.0] {
        for m in [1.0, 2.0, 5.0] {
            let s = mag * k * m;
            let n = count(s);
            if (4..=6).contains(&n) {
                let better = match best {
                    None => true,
                    Some((_, bn)) => (n - 5).abs() < (bn - 5).abs(),
                };
                if better {
                    best = Some((s, n));
                }
            } else if n < 4 && fallback.is_none() {
                fallback = Some(s);
            }
        }
    }
    let step = best.map(|(s, _)| s).or(fallback).unwrap_or(hi - lo);
    let first = (lo / step + 1e-9).floor() as i64;
    let mut last = (hi / step - 1e-9).ceil() as i64;
    // A coarse step can leave three ticks: extend the axis to four.
    while last - first + 1 < 4 {
        last += 1;
    }
    (first..=last)
        .take(6)
        .map(|i| {
            let t = i as f64 * step;
            // Snap floating error (0.30000000000000004 -> 0.3).
            (t / step).round() * step
        })
        .collect()
}

/// Linear map from a data range onto pixels.
#[derive(Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    fn at(self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if !v.is_finite() || !span.is_finite() || span == 0.0 {
            return (self.r0 + self.r1) / 2.0;
        }
        let t = ((v - self.d0) / span).clamp(-0.05, 1.05);
        self.r0 + t * (self.r1 - self.r0)
    }
}

/// Only site-relative and http(s) links: a hostile `javascript:` href is dropped.
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

/// Caller classes reduced to `[A-Za-z0-9_-]` words.
fn css_class(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// SVG scaffolding

fn open(out: &mut String, kind: &str, h: f64, title: &str) {
    let t = esc(title);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg chart-{kind}" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"><title>{t}</title>"#,
        w = f(W),
        h = f(h),
    );
}

fn empty(kind: &str, title: &str) -> String {
    let h = 200.0;
    let mut s = String::new();
    open(&mut s, kind, h, title);
    let _ = write!(
        s,
        r#"<text class="no-data" x="{}" y="{}" text-anchor="middle" dominant-baseline="middle">No data</text></svg>"#,
        f(W / 2.0),
        f(h / 2.0)
    );
    s
}

/// The plot rectangle of an x/y chart.
#[derive(Clone, Copy)]
struct Plot {
    x0: f64,
    x1: f64,
    y0: f64, // top
    y1: f64, // bottom
}

/// Gridlines, axis lines, ticks, tick labels and axis titles of an x/y chart.
fn axes(out: &mut String, p: Plot, x: (&[f64], Scale, &str), y: (&[f64], Scale, &str)) {
    let ((xt, xs, xl), (yt, ys, yl)) = (x, y);
    out.push_str(r#"<g class="gridlines">"#);
    for &t in yt {
        let y = f(ys.at(t));
        let _ = write!(
            out,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}"/>"#,
            f(p.x0),
            f(p.x1)
        );
    }
    for &t in xt {
        let x = f(xs.at(t));
        let _ = write!(
            out,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
            f(p.y0),
            f(p.y1)
        );
    }
    out.push_str("</g>");
    let _ = write!(
        out,
        r#"<g class="axis"><line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}"/><line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}"/>"#,
        x0 = f(p.x0),
        x1 = f(p.x1),
        y0 = f(p.y0),
        y1 = f(p.y1)
    );
    for (t, label) in xt.iter().zip(tick_labels(xt)) {
        let x = f(xs.at(*t));
        let _ = write!(
            out,
            r#"<line x1="{x}" y1="{b}" x2="{x}" y2="{b5}"/><text class="tick" x="{x}" y="{ty}" text-anchor="middle">{label}</text>"#,
            b = f(p.y1),
            b5 = f(p.y1 + 5.0),
            ty = f(p.y1 + 18.0),
        );
    }
    for (t, label) in yt.iter().zip(tick_labels(yt)) {
        let y = f(ys.at(*t));
        let _ = write!(
            out,
            r#"<line x1="{l5}" y1="{y}" x2="{l}" y2="{y}"/><text class="tick" x="{tx}" y="{ty}" text-anchor="end">{label}</text>"#,
            l = f(p.x0),
            l5 = f(p.x0 - 5.0),
            tx = f(p.x0 - 8.0),
            ty = f(ys.at(*t) + 4.0),
        );
    }
    out.push_str("</g>");
    let _ = write!(
        out,
        r#"<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        f((p.x0 + p.x1) / 2.0),
        f(p.y1 + 40.0),
        esc(xl)
    );
    let (cx, cy) = (14.0, (p.y0 + p.y1) / 2.0);
    let _ = write!(
        out,
        r#"<text class="axis-label" x="{x}" y="{y}" text-anchor="middle" transform="rotate(-90 {x} {y})">{}</text>"#,
        esc(yl),
        x = f(cx),
        y = f(cy)
    );
}

fn bounds(vals: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    vals.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Values beyond this are clamped so that the arithmetic stays finite.
const LIMIT: f64 = 1e15;

fn clampf(v: f64) -> f64 {
    v.clamp(-LIMIT, LIMIT)
}

// ---------------------------------------------------------------------------------------------
// Efficient frontier

/// Efficient frontier: x = total budget (major currency units, axis label "Budget
/// (<currency>)"), y = value; a step line through the dots sorted by budget; dots with
/// `optimal == false` drawn hollow (class `dot-gap`, tooltip "not proven optimal");
/// `current_budget` draws a dashed vertical marker (class `marker`) labelled "Scenario budget".
/// Dots with a non-finite budget or value are skipped.
pub fn frontier(dots: &[FrontierDot], currency: &str, current_budget: Option<f64>) -> String {
    let cur = esc(currency.trim());
    let title = format!(
        "Efficient frontier: portfolio value by budget ({})",
        currency.trim()
    );
    let mut pts: Vec<FrontierDot> = dots
        .iter()
        .filter(|d| d.budget.is_finite() && d.value.is_finite())
        .map(|d| FrontierDot {
            budget: clampf(d.budget),
            value: clampf(d.value),
            optimal: d.optimal,
        })
        .collect();
    if pts.is_empty() {
        return empty("frontier", &title);
    }
    pts.sort_by(|a, b| {
        a.budget
            .total_cmp(&b.budget)
            .then(a.value.total_cmp(&b.value))
    });
    let marker = current_budget.filter(|b| b.is_finite()).map(clampf);

    let h = 400.0;
    let p = Plot {
        x0: 72.0,
        x1: W - 24.0,
        y0: 24.0,
        y1: h - 52.0,
    };
    let (bx0, bx1) = bounds(pts.iter().map(|d| d.budget).chain(marker)).unwrap_or((0.0, 1.0));
    let (vy0, vy1) = bounds(pts.iter().map(|d| d.value)).unwrap_or((0.0, 1.0));
    let xt = nice_ticks(bx0, bx1);
    let yt = nice_ticks(vy0.min(0.0), vy1.max(0.0));
    let xs = Scale {
        d0: xt[0],
        d1: xt[xt.len() - 1],
        r0: p.x0,
        r1: p.x1,
    };
    let ys = Scale {
        d0: yt[0],
        d1: yt[yt.len() - 1],
        r0: p.y1,
        r1: p.y0,
    };

    let mut s = String::new();
    open(&mut s, "frontier", h, &title);
    axes(
        &mut s,
        p,
        (&xt, xs, &format!("Budget ({})", currency.trim())),
        (&yt, ys, "Value"),
    );

    // Step line: the value reached stays until the next budget level.
    let mut d = String::new();
    for (i, dot) in pts.iter().enumerate() {
        let (x, y) = (f(xs.at(dot.budget)), f(ys.at(dot.value)));
        if i == 0 {
            let _ = write!(d, "M{x} {y}");
        } else {
            let _ = write!(d, " H{x} V{y}");
        }
    }
    let _ = write!(s, r#"<path class="frontier-line" fill="none" d="{d}"/>"#);

    if let Some(b) = marker {
        let x = f(xs.at(b));
        let anchor = if xs.at(b) > p.x1 - 110.0 {
            "end"
        } else {
            "start"
        };
        let tx = if anchor == "end" {
            xs.at(b) - 5.0
        } else {
            xs.at(b) + 5.0
        };
        let _ = write!(
            s,
            r#"<g class="marker-group"><line class="marker" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke-dasharray="6 4"><title>Scenario budget: {} {cur}</title></line><text class="marker-label" x="{}" y="{}" text-anchor="{anchor}">Scenario budget</text></g>"#,
            f(p.y0 - 6.0),
            f(p.y1),
            fig(b),
            f(tx),
            f(p.y0 + 6.0),
        );
    }

    s.push_str(r#"<g class="dots">"#);
    for dot in &pts {
        let class = if dot.optimal { "dot" } else { "dot dot-gap" };
        let gap = if dot.optimal {
            ""
        } else {
            " — not proven optimal"
        };
        let _ = write!(
            s,
            r#"<circle class="{class}" cx="{}" cy="{}" r="4.5"><title>Budget {} {cur}, value {}{gap}</title></circle>"#,
            f(xs.at(dot.budget)),
            f(ys.at(dot.value)),
            fig(dot.budget),
            fig(dot.value),
        );
    }
    s.push_str("</g></svg>");
    s
}

// ---------------------------------------------------------------------------------------------
// Bubbles

/// Bubble chart: x = risk (fixed 0..=5, "Risk"), y = value (fixed 0..=100, "Value score"),
/// area ∝ cost (radius ∝ √cost, the largest 28px, none under 4px), colour by health class,
/// each bubble a link when `href` is a site-relative or http(s) URL; larger bubbles are drawn
/// first so small ones stay clickable; a short label (18 characters) beside each bubble.
/// Items with a non-finite value or risk are skipped; values outside the axes are clamped.
pub fn bubbles(items: &[Bubble]) -> String {
    let title = "Projects by risk and value; bubble size is cost, colour is health";
    let valid: Vec<&Bubble> = items
        .iter()
        .filter(|b| b.value.is_finite() && b.risk.is_finite())
        .collect();
    if valid.is_empty() {
        return empty("bubbles", title);
    }
    let cost = |b: &Bubble| {
        if b.cost.is_finite() && b.cost > 0.0 {
            b.cost.min(LIMIT)
        } else {
            0.0
        }
    };
    let max_cost = valid.iter().map(|b| cost(b)).fold(0.0f64, f64::max);
    let radius = |b: &Bubble| {
        if max_cost > 0.0 {
            (28.0 * (cost(b) / max_cost).sqrt()).max(4.0)
        } else {
            8.0
        }
    };
    let mut order: Vec<(f64, &Bubble)> = valid.iter().map(|b| (radius(b), *b)).collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.label.cmp(&b.1.label)));

    let h = 440.0;
    let p = Plot {
        x0: 64.0,
        x1: W - 32.0,
        y0: 28.0,
        y1: h - 56.0,
    };
    let xt = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let yt = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0];
    let xs = Scale {
        d0: 0.0,
        d1: 5.0,
        r0: p.x0,
        r1: p.x1,
    };
    let ys = Scale {
        d0: 0.0,
        d1: 100.0,
        r0: p.y1,
        r1: p.y0,
    };

    let mut s = String::new();
    open(&mut s, "bubbles", h, title);
    axes(&mut s, p, (&xt, xs, "Risk"), (&yt, ys, "Value score"));
    s.push_str(r#"<g class="marks">"#);
    for (r, b) in order {
        let (cx, cy) = (
            xs.at(b.risk.clamp(0.0, 5.0)),
            ys.at(b.value.clamp(0.0, 100.0)),
        );
        let label = truncate(&b.label, 18);
        let text_w = label.chars().count() as f64 * CHAR_W;
        let (tx, anchor) = if cx + r + 4.0 + text_w > W - 2.0 {
            (cx - r - 4.0, "end")
        } else {
            (cx + r + 4.0, "start")
        };
        let href = safe_href(b.href.as_deref());
        if let Some(h) = &href {
            let _ = write!(s, r#"<a href="{h}">"#);
        }
        let _ = write!(
            s,
            r#"<g class="bubble {hc}"><circle cx="{}" cy="{}" r="{}"><title>{}: value {}, risk {}, cost {}, health {}</title></circle><text class="bubble-label" x="{}" y="{}" text-anchor="{anchor}">{}</text></g>"#,
            f(cx),
            f(cy),
            f(r),
            esc(b.label.trim()),
            fig(b.value),
            fig(b.risk),
            fig(cost(b)),
            b.health.word(),
            f(tx),
            f(cy + 4.0),
            esc(&label),
            hc = b.health.class(),
        );
        if href.is_some() {
            s.push_str("</a>");
        }
    }
    s.push_str("</g></svg>");
    s
}

// ---------------------------------------------------------------------------------------------
// Roadmap

/// Days since 1970-01-01 (proleptic Gregorian), without fallible calendar arithmetic.
fn day_num(d: Date) -> i64 {
    let (y, m, dd) = (
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Quarter index (year × 4 + quarter − 1) and its first day, if representable.
fn quarter_start(q: i64) -> Option<Date> {
    let y = i16::try_from(q.div_euclid(4)).ok()?;
    let m = i8::try_from(q.rem_euclid(4) * 3 + 1).ok()?;
    Date::new(y, m, 1).ok()
}

fn quarter_of(d: Date) -> i64 {
    i64::from(d.year()) * 4 + (i64::from(d.month()) - 1) / 3
}

/// Multi-project roadmap: one 22px row per item, bars from start to finish (inclusive) clipped
/// to `from..=to`, rows wholly outside the window left out; quarter gridlines and "Q1 2027"
/// labels (years on long windows); label column on the left (long labels truncated, full text
/// in the tooltip); a "today" line (class `today`) when `today` is inside the window.
pub fn roadmap(rows: &[RoadmapRow], from: Date, to: Date, today: Option<Date>) -> String {
    let (from, to) = if to < from { (to, from) } else { (from, to) };
    let title = format!("Roadmap from {from} to {to}");
    let visible: Vec<&RoadmapRow> = rows
        .iter()
        .filter(|r| r.start.min(r.finish) <= to && r.start.max(r.finish) >= from)
        .collect();
    if visible.is_empty() {
        return empty("roadmap", &title);
    }
    const ROW: f64 = 22.0;
    const TOP: f64 = 30.0;
    const LABEL_W: f64 = 184.0;
    let (x0, x1) = (LABEL_W + 8.0, W - 12.0);
    let h = TOP + ROW * visible.len() as f64 + 10.0;
    let (d0, d1) = (day_num(from), day_num(to) + 1);
    let xs = Scale {
        d0: d0 as f64,
        d1: d1 as f64,
        r0: x0,
        r1: x1,
    };
    let xd = |d: i64| xs.at(d.clamp(d0, d1) as f64);
    let rows_bottom = TOP + ROW * visible.len() as f64;

    let mut s = String::new();
    open(&mut s, "roadmap", h, &title);

    // Row bands first, so gridlines and bars sit on top.
    s.push_str(r#"<g class="rows">"#);
    for i in (1..visible.len()).step_by(2) {
        let _ = write!(
            s,
            r#"<rect class="row-alt" x="0" y="{}" width="{}" height="{}"/>"#,
            f(TOP + ROW * i as f64),
            f(W),
            f(ROW)
        );
    }
    s.push_str("</g>");

    // Time grid: quarters when there is room, else years (or multiples of years).
    let (q0, q1) = (quarter_of(from), quarter_of(to) + 1);
    let days = (d1 - d0) as f64;
    let px_per_quarter = (x1 - x0) * 91.3 / days;
    let steps = [
        1i64, 2, 4, 8, 20, 40, 80, 200, 400, 800, 2000, 4000, 8000, 20_000,
    ];
    let grid = steps
        .iter()
        .copied()
        .find(|g| px_per_quarter * *g as f64 >= 18.0)
        .unwrap_or(20_000);
    let lab = steps
        .iter()
        .copied()
        .find(|l| l % grid == 0 && px_per_quarter * *l as f64 >= if *l < 4 { 56.0 } else { 36.0 })
        .unwrap_or(20_000);
    s.push_str(r#"<g class="gridlines">"#);
    let first_grid = q0.div_euclid(grid) * grid;
    let mut q = first_grid;
    while q <= q1 {
        if let Some(d) = quarter_start(q) {
            let dn = day_num(d);
            if dn > d0 && dn < d1 {
                let x = f(xd(dn));
                let _ = write!(
                    s,
                    r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
                    f(TOP - 4.0),
                    f(rows_bottom)
                );
            }
        }
        q += grid;
    }
    s.push_str("</g>");
    let _ = write!(
        s,
        r#"<g class="axis"><line x1="{}" y1="{t}" x2="{}" y2="{t}"/></g>"#,
        f(x0),
        f(x1),
        t = f(TOP)
    );
    s.push_str(r#"<g class="period-labels">"#);
    let mut q = q0.div_euclid(lab) * lab;
    while q <= q1 {
        let (Some(a), b) = (quarter_start(q), quarter_start(q + lab)) else {
            q += lab;
            continue;
        };
        let (da, db) = (day_num(a), b.map_or(d1, day_num));
        let text = if lab < 4 {
            format!("Q{} {}", q.rem_euclid(4) + 1, q.div_euclid(4))
        } else {
            format!("{}", q.div_euclid(4))
        };
        let tw = text.len() as f64 * CHAR_W;
        if lab == 1 || lab == 4 {
            // Centred in its (clipped) period when it fits.
            let (xa, xb) = (xd(da), xd(db));
            if xb - xa >= tw + 4.0 {
                let _ = write!(
                    s,
                    r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{text}</text>"#,
                    f((xa + xb) / 2.0),
                    f(TOP - 10.0)
                );
            }
        } else if da >= d0 && xd(da) + tw <= x1 {
            let _ = write!(
                s,
                r#"<text class="tick" x="{}" y="{}">{text}</text>"#,
                f(xd(da) + 3.0),
                f(TOP - 10.0)
            );
        }
        q += lab;
    }
    s.push_str("</g>");

    s.push_str(r#"<g class="marks">"#);
    for (i, r) in visible.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let (start, finish) = (r.start.min(r.finish), r.start.max(r.finish));
        let full = esc(r.label.trim());
        let label = esc(&truncate(&r.label, 27));
        let href = safe_href(r.href.as_deref());
        let label_el = format!(
            r#"<text class="row-label" x="6" y="{}">{label}<title>{full}</title></text>"#,
            f(y + 15.0)
        );
        match &href {
            Some(h) => {
                let _ = write!(s, r#"<a href="{h}">{label_el}</a>"#);
            }
            None => s.push_str(&label_el),
        }
        let (sd, fd) = (day_num(start), day_num(finish) + 1);
        // Rounded first so that x + width never passes the plot's right edge.
        let (bx0, bx1) = (round1(xd(sd)), round1(xd(fd)));
        let width = (bx1 - bx0).max(3.0);
        let clipped = match (sd < d0, fd > d1) {
            (true, true) => " clipped-both",
            (true, false) => " clipped-start",
            (false, true) => " clipped-end",
            (false, false) => "",
        };
        let note = r
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| format!(" — {}", esc(n)))
            .unwrap_or_default();
        let bar = format!(
            r#"<rect class="rm-bar {hc}{clipped}" x="{}" y="{}" width="{}" height="14" rx="3"><title>{full}: {start} – {finish}, health {}{note}</title></rect>"#,
            f(bx0.min(x1 - 3.0)),
            f(y + 4.0),
            f(width),
            r.health.word(),
            hc = r.health.class(),
        );
        match &href {
            Some(h) => {
                let _ = write!(s, r#"<a href="{h}">{bar}</a>"#);
            }
            None => s.push_str(&bar),
        }
    }
    s.push_str("</g>");

    if let Some(t) = today.filter(|t| *t >= from && *t <= to) {
        let x = f(xd(day_num(t)));
        let _ = write!(
            s,
            r#"<g class="today-group"><line class="today" x1="{x}" y1="{}" x2="{x}" y2="{}"><title>Today: {t}</title></line><text class="today-label" x="{x}" y="{}" text-anchor="middle">Today</text></g>"#,
            f(TOP - 2.0),
            f(rows_bottom),
            f(h - 1.0),
        );
    }
    s.push_str("</svg>");
    s
}

// ---------------------------------------------------------------------------------------------
// Lines

/// Line chart with a legend: numeric x and y, axis labels given. Each series is drawn sorted
/// by x with the classes `series s<N>` (N = 1..=6 by position) plus its own `class`; points
/// get dots with tooltips when a series has at most 60 of them. Non-finite points are skipped.
pub fn lines(series: &[Series], x_label: &str, y_label: &str) -> String {
    let title = format!(
        "{} by {}: {}",
        y_label.trim(),
        x_label.trim(),
        series
            .iter()
            .map(|s| s.name.trim())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let clean: Vec<_> = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(x, y)| (clampf(*x), clampf(*y)))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            (i, s, pts)
        })
        .filter(|(_, _, pts)| !pts.is_empty())
        .collect();
    if clean.is_empty() {
        return empty("lines", &title);
    }
    let all = || clean.iter().flat_map(|(_, _, p)| p.iter().copied());
    let (xa, xb) = bounds(all().map(|p| p.0)).unwrap_or((0.0, 1.0));
    let (ya, yb) = bounds(all().map(|p| p.1)).unwrap_or((0.0, 1.0));
    let xt = nice_ticks(xa, xb);
    let yt = nice_ticks(ya.min(0.0), yb.max(0.0));

    // Legend laid out left to right, wrapping.
    let mut legend = String::new();
    let (mut lx, mut ly) = (72.0, 18.0);
    for (i, s, _) in &clean {
        let name = truncate(&s.name, 40);
        let w = 30.0 + name.chars().count() as f64 * CHAR_W + 18.0;
        if lx + w > W - 8.0 && lx > 72.0 {
            lx = 72.0;
            ly += 18.0;
        }
        let _ = write!(
            legend,
            r#"<g class="legend-item"><line class="series s{n} {c}" x1="{}" y1="{}" x2="{}" y2="{}"/><text x="{}" y="{}">{}</text></g>"#,
            f(lx),
            f(ly - 4.0),
            f(lx + 22.0),
            f(ly - 4.0),
            f(lx + 28.0),
            f(ly),
            esc(&name),
            n = i % 6 + 1,
            c = css_class(&s.class),
        );
        lx += w;
    }
    let top = ly + 16.0;
    let h = top + 330.0;
    let p = Plot {
        x0: 72.0,
        x1: W - 24.0,
        y0: top,
        y1: h - 52.0,
    };
    let xs = Scale {
        d0: xt[0],
        d1: xt[xt.len() - 1],
        r0: p.x0,
        r1: p.x1,
    };
    let ys = Scale {
        d0: yt[0],
        d1: yt[yt.len() - 1],
        r0: p.y1,
        r1: p.y0,
    };

    let mut out = String::new();
    open(&mut out, "lines", h, &title);
    let _ = write!(out, r#"<g class="legend">{legend}</g>"#);
    axes(
        &mut out,
        p,
        (&xt, xs, x_label.trim()),
        (&yt, ys, y_label.trim()),
    );
    for (i, s, pts) in &clean {
        let classes = format!("series s{} {}", i % 6 + 1, css_class(&s.class));
        let name = esc(s.name.trim());
        let mut d = String::new();
        for (k, (x, y)) in pts.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {}",
                if k == 0 { "M" } else { " L" },
                f(xs.at(*x)),
                f(ys.at(*y))
            );
        }
        let (lx, ly) = pts[pts.len() - 1];
        let _ = write!(
            out,
            r#"<g class="{}"><path fill="none" d="{d}"><title>{name}: {} points, last {} = {}</title></path>"#,
            classes.trim(),
            pts.len(),
            fig(lx),
            fig(ly)
        );
        if pts.len() <= 60 {
            for (x, y) in pts {
                let _ = write!(
                    out,
                    r#"<circle class="point" cx="{}" cy="{}" r="3"><title>{name}: {} = {}, {} = {}</title></circle>"#,
                    f(xs.at(*x)),
                    f(ys.at(*y)),
                    esc(x_label.trim()),
                    fig(*x),
                    esc(y_label.trim()),
                    fig(*y)
                );
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const HOSTILE: &str = r#"<script>alert("x")</script> & 'q' "dq""#;

    /// A small well-formedness check: balanced tags, quoted attributes without `<`, no
    /// duplicate attributes, only known entities, a single root element.
    fn well_formed(s: &str) -> Result<(), String> {
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        let mut rest = s;
        let check_text = |t: &str| -> Result<(), String> {
            let mut it = t.split('&').skip(1);
            for part in it.by_ref() {
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
            // A tag ends at the first '>' outside quotes.
            let mut in_q = false;
            let mut end = None;
            for (i, c) in after.char_indices() {
                match c {
                    '"' => in_q = !in_q,
                    '>' if !in_q => {
                        end = Some(i);
                        break;
                    }
                    '<' if in_q => return Err("< inside an attribute value".into()),
                    '<' => return Err("< inside a tag".into()),
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
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
            {
                return Err(format!("bad tag name {name:?}"));
            }
            // Attributes: name="value" pairs.
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
                stack.push(name.to_string());
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

    /// Well-formed, an accessible SVG, no NaN/inf anywhere.
    fn sound(svg: &str) {
        well_formed(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        assert!(
            svg.contains(r#"role="img""#) && svg.contains("aria-label=") && svg.contains("<title>")
        );
        assert!(svg.contains(r#"width="100%""#) && svg.contains(r#"viewBox="0 0 720 "#));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    fn no_raw_hostile(svg: &str) {
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("\"x\")"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
    }

    fn row(label: &str, start: Date, finish: Date) -> RoadmapRow {
        RoadmapRow {
            label: label.into(),
            href: Some(format!("/projects/{label}")),
            start,
            finish,
            health: Health::Green,
            note: None,
        }
    }

    fn bubble(label: &str, cost: f64) -> Bubble {
        Bubble {
            label: label.into(),
            href: None,
            value: 50.0,
            risk: 2.5,
            cost,
            health: Health::Amber,
        }
    }

    #[test]
    fn esc_escapes_markup_and_drops_invalid_characters() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(esc("a\u{0}b\u{1b}c\u{FFFF}\td"), "abc\td");
        assert_eq!(esc("Ünïcødé €"), "Ünïcødé €");
    }

    #[test]
    fn health_classes() {
        assert_eq!(Health::Green.class(), "h-green");
        assert_eq!(Health::Amber.class(), "h-amber");
        assert_eq!(Health::Red.class(), "h-red");
        assert_eq!(Health::Unknown.class(), "h-unknown");
    }

    #[test]
    fn hostile_text_is_escaped_in_every_chart() {
        let fr = frontier(
            &[FrontierDot {
                budget: 1.0,
                value: 2.0,
                optimal: true,
            }],
            HOSTILE,
            None,
        );
        let mut b = bubble(HOSTILE, 1.0);
        b.href = Some(r#"/p?a=1&b="><script>"#.into());
        let bu = bubbles(&[b]);
        let mut r = row(HOSTILE, date(2027, 1, 1), date(2027, 3, 1));
        r.note = Some(HOSTILE.into());
        let rm = roadmap(&[r], date(2027, 1, 1), date(2027, 12, 31), None);
        let li = lines(
            &[Series {
                name: HOSTILE.into(),
                class: HOSTILE.into(),
                points: vec![(0.0, 1.0), (1.0, 2.0)],
            }],
            HOSTILE,
            HOSTILE,
        );
        for svg in [&fr, &bu, &rm, &li] {
            sound(svg);
            no_raw_hostile(svg);
        }
        assert!(
            bu.contains(r#"href="/p?a=1&amp;b=&quot;&gt;&lt;script&gt;""#),
            "{bu}"
        );
        // Empty states carry the (escaped) title too.
        let e = frontier(&[], HOSTILE, None);
        sound(&e);
        no_raw_hostile(&e);
    }

    #[test]
    fn unsafe_links_are_dropped() {
        let mut b = bubble("x", 1.0);
        b.href = Some("javascript:alert(1)".into());
        let svg = bubbles(&[b.clone()]);
        assert!(!svg.contains("<a ") && !svg.contains("javascript"), "{svg}");
        b.href = Some("//evil.example/".into());
        assert!(!bubbles(&[b.clone()]).contains("<a "));
        b.href = Some("/projects/1".into());
        assert!(bubbles(&[b]).contains(r#"<a href="/projects/1">"#));
    }

    #[test]
    fn empty_states() {
        let nan = f64::NAN;
        for svg in [
            frontier(&[], "EUR", Some(5.0)),
            frontier(
                &[FrontierDot {
                    budget: nan,
                    value: 1.0,
                    optimal: true,
                }],
                "EUR",
                None,
            ),
            bubbles(&[]),
            bubbles(&[Bubble {
                value: nan,
                ..bubble("a", 1.0)
            }]),
            roadmap(&[], date(2027, 1, 1), date(2027, 12, 31), None),
            lines(&[], "x", "y"),
            lines(
                &[Series {
                    name: "a".into(),
                    class: String::new(),
                    points: vec![(nan, 1.0)],
                }],
                "x",
                "y",
            ),
        ] {
            sound(&svg);
            assert!(svg.contains(">No data</text>"), "{svg}");
            assert!(svg.contains(r#"text-anchor="middle""#));
        }
    }

    #[test]
    fn degenerate_inputs_never_print_nan_or_inf() {
        let one = [FrontierDot {
            budget: 1000.0,
            value: 5.0,
            optimal: false,
        }];
        let zero = [FrontierDot {
            budget: 0.0,
            value: 0.0,
            optimal: true,
        }];
        let same = [
            FrontierDot {
                budget: 7.0,
                value: 3.0,
                optimal: true,
            },
            FrontierDot {
                budget: 7.0,
                value: 3.0,
                optimal: true,
            },
        ];
        let huge = [
            FrontierDot {
                budget: 1e300,
                value: -1e300,
                optimal: true,
            },
            FrontierDot {
                budget: f64::INFINITY,
                value: 1.0,
                optimal: true,
            },
        ];
        for dots in [&one[..], &zero, &same, &huge] {
            let svg = frontier(dots, "EUR", Some(f64::NAN));
            sound(&svg);
            assert!(svg.contains("<circle"), "{svg}");
        }
        for items in [
            vec![bubble("a", 0.0)],
            vec![bubble("a", 0.0), bubble("b", 0.0)],
            vec![bubble("a", f64::INFINITY), bubble("b", -3.0)],
            vec![Bubble {
                risk: 99.0,
                value: -5.0,
                ..bubble("a", 1.0)
            }],
        ] {
            let svg = bubbles(&items);
            sound(&svg);
            assert!(svg.contains("<circle"));
        }
        let d = date(2027, 5, 5);
        for (from, to) in [
            (d, d),
            (date(2028, 1, 1), date(2027, 1, 1)),
            (date(-9999, 1, 1), date(9999, 12, 31)),
        ] {
            let svg = roadmap(&[row("a", d, d)], from, to, Some(d));
            sound(&svg);
            assert!(svg.contains("<rect class=\"rm-bar"), "{svg}");
        }
        for pts in [
            vec![(1.0, 1.0)],
            vec![(0.0, 0.0), (0.0, 0.0)],
            vec![(3.0, 2.0), (3.0, 2.0), (f64::NEG_INFINITY, 1.0)],
        ] {
            let svg = lines(
                &[Series {
                    name: "s".into(),
                    class: "pv".into(),
                    points: pts,
                }],
                "x",
                "y",
            );
            sound(&svg);
            assert!(svg.contains("<path"), "{svg}");
        }
    }

    #[test]
    fn nice_ticks_are_nice_and_cover_the_range() {
        let cases = [
            (0.0, 1.0),
            (0.0, 100.0),
            (3.0, 97.0),
            (-7.0, 13.0),
            (1.2e6, 5.7e6),
            (0.0, 0.003),
            (5.0, 5.0),
            (0.0, 0.0),
            (-2.0, -2.0),
            (0.0, 1e15),
            (999.0, 1001.0),
            (0.0, 7.0),
            (0.0, 11.0),
            (0.0, 41.0),
        ];
        for (lo, hi) in cases {
            let t = nice_ticks(lo, hi);
            assert!((4..=6).contains(&t.len()), "{lo}..{hi}: {t:?}");
            assert!(t[0] <= lo && t[t.len() - 1] >= hi, "{lo}..{hi}: {t:?}");
            let step = t[1] - t[0];
            let mag = 10f64.powf(step.log10().floor());
            let m = (step / mag * 1000.0).round() / 1000.0;
            assert!(
                [1.0, 2.0, 5.0, 10.0].contains(&m),
                "{lo}..{hi}: step {step}"
            );
            assert!(
                t.windows(2)
                    .all(|w| ((w[1] - w[0]) - step).abs() < step * 1e-6)
            );
        }
        assert_eq!(tick_labels(&[0.0, 1e6, 2e6]), vec!["0", "1M", "2M"]);
        assert_eq!(tick_labels(&[0.0, 0.5, 1.0]), vec!["0", "0.5", "1.0"]);
        assert_eq!(
            tick_labels(&[0.0, 2000.0, 4000.0]),
            vec!["0", "2,000", "4,000"]
        );
        assert_eq!(fig(1_234_567.891), "1,234,567.89");
        assert_eq!(fig(-0.001), "0");
    }

    fn radii(svg: &str) -> Vec<f64> {
        svg.split(" r=\"")
            .skip(1)
            .map(|p| {
                p.split('"')
                    .next()
                    .expect("r value")
                    .parse::<f64>()
                    .expect("number")
            })
            .collect()
    }

    #[test]
    fn bubble_radius_follows_cost_and_big_ones_come_first() {
        let svg = bubbles(&[
            bubble("small", 1.0),
            bubble("big", 100.0),
            bubble("mid", 25.0),
            bubble("zero", 0.0),
        ]);
        sound(&svg);
        let r = radii(&svg);
        assert_eq!(r.len(), 4);
        // Drawn largest first; the largest is 28px, sqrt scaling, floor of 4px.
        assert_eq!(r, vec![28.0, 14.0, 4.0, 4.0]);
        let big = svg.find(">big</text>").expect("big label");
        let small = svg.find(">small</text>").expect("small label");
        assert!(big < small);
        // Long labels are shortened next to the bubble but complete in the tooltip.
        let svg = bubbles(&[bubble("A very long project name indeed", 1.0)]);
        assert!(svg.contains(">A very long proje…</text>"), "{svg}");
        assert!(
            svg.contains("<title>A very long project name indeed: value 50"),
            "{svg}"
        );
    }

    #[test]
    fn roadmap_clips_to_the_window() {
        let rows = [
            row("inside", date(2027, 2, 1), date(2027, 5, 31)),
            row("before", date(2025, 1, 1), date(2026, 6, 30)),
            row("after", date(2028, 2, 1), date(2028, 3, 1)),
            row("across", date(2026, 6, 1), date(2029, 1, 1)),
        ];
        let svg = roadmap(
            &rows,
            date(2027, 1, 1),
            date(2027, 12, 31),
            Some(date(2027, 7, 1)),
        );
        sound(&svg);
        assert!(svg.contains(">inside<title>") && svg.contains(">across<title>"));
        assert!(!svg.contains(">before") && !svg.contains(">after"), "{svg}");
        assert_eq!(svg.matches("<rect class=\"rm-bar").count(), 2);
        assert!(svg.contains("clipped-both"));
        // No bar leaves the plot.
        for part in svg.split("<rect class=\"rm-bar").skip(1) {
            let attr = |n: &str| -> f64 {
                let v = part.split(&format!(" {n}=\"")).nth(1).expect("attr");
                v.split('"').next().expect("value").parse().expect("number")
            };
            assert!(
                attr("x") >= 192.0 && attr("x") + attr("width") <= W - 12.0 + 0.05,
                "{part}"
            );
        }
        for q in ["Q1 2027", "Q2 2027", "Q3 2027", "Q4 2027"] {
            assert!(svg.contains(&format!(">{q}</text>")), "{q} in {svg}");
        }
        assert!(svg.contains(r#"class="today""#));
        assert!(svg.contains(r#"<a href="/projects/inside">"#));
        // Today outside the window: no line.
        let svg = roadmap(
            &rows,
            date(2027, 1, 1),
            date(2027, 12, 31),
            Some(date(2030, 1, 1)),
        );
        assert!(!svg.contains(r#"class="today""#));
        // A long window falls back to year labels.
        let svg = roadmap(&rows, date(2020, 1, 1), date(2039, 12, 31), None);
        sound(&svg);
        assert!(
            svg.contains(">2030</text>") && !svg.contains(">Q1 2027</text>"),
            "{svg}"
        );
    }

    #[test]
    fn frontier_marker_steps_and_gaps() {
        let dots = [
            FrontierDot {
                budget: 3e6,
                value: 70.0,
                optimal: true,
            },
            FrontierDot {
                budget: 1e6,
                value: 40.0,
                optimal: true,
            },
            FrontierDot {
                budget: 2e6,
                value: 55.0,
                optimal: false,
            },
        ];
        let svg = frontier(&dots, "EUR", Some(2.5e6));
        sound(&svg);
        assert!(svg.contains(r#"class="marker""#) && svg.contains(">Scenario budget</text>"));
        assert!(svg.contains("Scenario budget: 2,500,000 EUR"));
        assert!(svg.contains(">Budget (EUR)</text>"));
        assert_eq!(svg.matches(r#"class="dot dot-gap""#).count(), 1);
        assert!(svg.contains("Budget 2,000,000 EUR, value 55 — not proven optimal"));
        // Sorted by budget: the path goes right only.
        let d = svg
            .split("class=\"frontier-line\" fill=\"none\" d=\"")
            .nth(1)
            .expect("path");
        let d = d.split('"').next().expect("d");
        let xs: Vec<f64> = std::iter::once(d.trim_start_matches('M').split(' ').next().expect("x"))
            .chain(
                d.split(" H")
                    .skip(1)
                    .map(|p| p.split(' ').next().expect("x")),
            )
            .map(|x| x.parse().expect("number"))
            .collect();
        assert_eq!(xs.len(), 3);
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        assert!(!frontier(&dots, "EUR", None).contains("Scenario budget"));
    }

    #[test]
    fn lines_have_legend_and_classes() {
        let svg = lines(
            &[
                Series {
                    name: "Planned value".into(),
                    class: "pv".into(),
                    points: vec![(0.0, 0.0), (10.0, 50.0), (5.0, 20.0)],
                },
                Series {
                    name: "Earned value".into(),
                    class: "ev x\"y".into(),
                    points: vec![(0.0, 0.0), (5.0, 15.0)],
                },
            ],
            "Week",
            "Cost (EUR)",
        );
        sound(&svg);
        assert!(
            svg.contains(r#"<g class="series s1 pv">"#)
                && svg.contains(r#"<g class="series s2 ev xy">"#),
            "{svg}"
        );
        assert!(svg.contains(">Planned value</text>") && svg.contains(">Earned value</text>"));
        assert!(svg.contains(">Week</text>") && svg.contains(">Cost (EUR)</text>"));
        assert!(svg.contains("Planned value: Week = 5, Cost (EUR) = 20"));
    }
}
