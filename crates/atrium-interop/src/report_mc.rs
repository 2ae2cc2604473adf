//! Monte Carlo schedule risk as JSON: builds the engine input from an MS Project (MSPDI)
//! plan and turns an engine result into the `serde_json::Value` that
//! `atrium schedule FILE.xml --monte-carlo N --json` prints.
//!
//! Units: the engine works in working days from the project start. Dates are added only
//! when the caller passes a mapping (`working days → date text`, normally the project
//! calendar's), because this module knows no calendar.
//!
//! Three-point estimates: MSPDI has no standard optimistic/pessimistic fields, so a task
//! without an explicit estimate ([`MspdiMcOptions::estimates`]) gets the explicit default
//! [`ThreePointDefault`]: its scheduled duration as the most likely value, minimum −10 %,
//! maximum +30 %, triangular. Milestones and completed tasks keep their duration fixed.

use std::collections::HashMap;

use atrium_schedule::montecarlo::{
    Dist, Histogram, Link, LinkKind, McDiagnostic, McInput, McOptions, McResult, McTask, RiskEvent,
    Samples, simulate,
};
use serde_json::{Value, json};

use crate::mspdi::{LinkType, Project};

/// Shape of the default three-point distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Triangular(min, most likely, max).
    Triangular,
    /// PERT-beta(min, most likely, max).
    PertBeta,
    /// Uniform(min, max).
    Uniform,
    /// No uncertainty: the duration as is.
    Fixed,
}

/// Default spread for tasks without a three-point estimate: min = d·(1 − `low`),
/// most likely = d, max = d·(1 + `high`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThreePointDefault {
    /// Distribution shape.
    pub shape: Shape,
    /// Relative spread below the duration (0.10 = −10 %).
    pub low: f64,
    /// Relative spread above the duration (0.30 = +30 %).
    pub high: f64,
}

impl Default for ThreePointDefault {
    fn default() -> Self {
        ThreePointDefault {
            shape: Shape::Triangular,
            low: 0.10,
            high: 0.30,
        }
    }
}

impl ThreePointDefault {
    /// The distribution for a most likely duration `d`.
    pub fn dist(&self, d: f64) -> Dist {
        let (min, max) = (d * (1.0 - self.low), d * (1.0 + self.high));
        match self.shape {
            Shape::Triangular => Dist::Triangular { min, mode: d, max },
            Shape::PertBeta => Dist::PertBeta { min, mode: d, max },
            Shape::Uniform => Dist::Uniform { min, max },
            Shape::Fixed => Dist::Fixed(d),
        }
    }
}

/// How to build the Monte Carlo input from an MSPDI project.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MspdiMcOptions {
    /// Spread used for tasks without an explicit estimate.
    pub default: ThreePointDefault,
    /// Explicit estimates by task UID: (optimistic, most likely, pessimistic) in working
    /// days, used with `estimate_shape` (e.g. from a risk register or custom fields).
    pub estimates: HashMap<i32, [f64; 3]>,
    /// Shape of the explicit estimates (`Shape::Triangular` when left at the default).
    pub estimate_shape: Option<Shape>,
    /// Risk events naming tasks by UID (e.g. from the risk register).
    pub risks: Vec<UidRisk>,
}

/// A risk event whose affected tasks are MSPDI UIDs (see [`RiskEvent`] for the semantics).
#[derive(Clone, Debug, PartialEq)]
pub struct UidRisk {
    /// Probability of occurrence in [0, 1].
    pub probability: f64,
    /// Delay in working days added to each affected task when it occurs.
    pub delay: Dist,
    /// UIDs of the affected tasks (a summary UID stands for its leaf tasks).
    pub task_uids: Vec<i32>,
    /// Cost impact when it occurs.
    pub cost: Dist,
}

/// Engine input built from an MSPDI project, with the UID and name of each engine task.
#[derive(Clone, Debug, PartialEq)]
pub struct MspdiMcInput {
    /// The engine input (working days).
    pub input: McInput,
    /// MSPDI task UID of each engine task.
    pub uids: Vec<i32>,
    /// Task name of each engine task.
    pub names: Vec<Option<String>>,
    /// Simplifications made while mapping (shown in the JSON report).
    pub notes: Vec<String>,
}

/// Builds the engine input: one engine task per leaf task (summaries, null and inactive
/// tasks are left out; links to or from a summary are moved to its leaf tasks), durations
/// and lags in working days (`minutes_per_day` of the project), costs from the stored task
/// cost (fixed cost as fixed, the rest proportional to the duration).
pub fn input_from_mspdi(project: &Project, opts: &MspdiMcOptions) -> MspdiMcInput {
    let mpd = f64::from(project.minutes_per_day());
    let mut notes = Vec::new();
    // Leaf descendants of each summary, from the outline levels in file order.
    let tasks: Vec<_> = project
        .tasks
        .iter()
        .filter(|t| t.uid != 0 && !t.is_null && t.active != Some(false))
        .collect();
    let mut leaves_of: HashMap<i32, Vec<i32>> = HashMap::new();
    for (i, t) in tasks.iter().enumerate() {
        if !t.summary {
            continue;
        }
        let lvl = t.level();
        let leaves = tasks[i + 1..]
            .iter()
            .take_while(|c| c.level() > lvl)
            .filter(|c| !c.summary)
            .map(|c| c.uid)
            .collect();
        leaves_of.insert(t.uid, leaves);
    }
    let mut index: HashMap<i32, usize> = HashMap::new();
    let (mut out, mut uids, mut names) = (Vec::new(), Vec::new(), Vec::new());
    let mut elapsed_notes = 0usize;
    for t in tasks.iter().filter(|t| !t.summary) {
        let minutes = t.duration.unwrap_or(0).max(0) as f64;
        if matches!(t.duration_format, Some(f) if f.elapsed) {
            elapsed_notes += 1;
        }
        let d = minutes / mpd;
        let done = t.percent_complete == Some(100) || t.actual_finish.is_some();
        let duration = if let Some(&[lo, ml, hi]) = opts.estimates.get(&t.uid) {
            let shape = opts.estimate_shape.unwrap_or(Shape::Triangular);
            match shape {
                Shape::Triangular => Dist::Triangular {
                    min: lo,
                    mode: ml,
                    max: hi,
                },
                Shape::PertBeta => Dist::PertBeta {
                    min: lo,
                    mode: ml,
                    max: hi,
                },
                Shape::Uniform => Dist::Uniform { min: lo, max: hi },
                Shape::Fixed => Dist::Fixed(ml),
            }
        } else if t.milestone || done || d == 0.0 {
            Dist::Fixed(d)
        } else {
            opts.default.dist(d)
        };
        let fixed = t.fixed_cost.unwrap_or(0) as f64 / 100.0;
        let variable = t.cost.map_or(0.0, |c| c as f64 / 100.0 - fixed);
        let mut task = McTask::new(duration);
        task.fixed_cost = fixed;
        // Resource cost scales with the duration: cost per working day at the planned d.
        if d > 0.0 && variable != 0.0 {
            task.cost_rate = variable / d;
        } else {
            task.fixed_cost += variable;
        }
        index.insert(t.uid, out.len());
        out.push(task);
        uids.push(t.uid);
        names.push(t.name.clone());
    }
    if elapsed_notes > 0 {
        notes.push(format!(
            "{elapsed_notes} elapsed-time durations treated as working time"
        ));
    }
    let expand = |uid: i32| -> Vec<usize> {
        match leaves_of.get(&uid) {
            Some(l) => l.iter().filter_map(|u| index.get(u).copied()).collect(),
            None => index.get(&uid).copied().into_iter().collect(),
        }
    };
    let (mut summary_links, mut unknown, mut approx) = (0usize, 0usize, 0usize);
    let mut links = Vec::new();
    for t in tasks.iter() {
        let succs = expand(t.uid);
        for l in &t.predecessors {
            let preds = expand(l.predecessor_uid);
            if preds.is_empty() || succs.is_empty() {
                unknown += 1;
                continue;
            }
            if t.summary || leaves_of.contains_key(&l.predecessor_uid) {
                summary_links += 1;
                if leaves_of.contains_key(&l.predecessor_uid)
                    && matches!(
                        l.link_type,
                        LinkType::StartToStart | LinkType::StartToFinish
                    )
                {
                    approx += 1;
                }
            }
            let kind = match l.link_type {
                LinkType::FinishToStart => LinkKind::FinishStart,
                LinkType::StartToStart => LinkKind::StartStart,
                LinkType::FinishToFinish => LinkKind::FinishFinish,
                LinkType::StartToFinish => LinkKind::StartFinish,
            };
            for &p in &preds {
                let lag = if l.lag_is_percent() {
                    // Percent of the predecessor's most likely duration.
                    l.lag as f64 / 100.0 * out[p].duration.most_likely()
                } else {
                    l.lag as f64 / 10.0 / mpd
                };
                for &s in &succs {
                    if p != s {
                        links.push(Link::new(p, s, kind, lag));
                    }
                }
            }
        }
    }
    if summary_links > 0 {
        notes.push(format!(
            "{summary_links} links on summary tasks moved to their leaf tasks"
        ));
    }
    if approx > 0 {
        notes.push(format!(
            "{approx} start-based links from summaries applied from every leaf (conservative)"
        ));
    }
    if unknown > 0 {
        notes.push(format!(
            "{unknown} links to missing, empty or inactive tasks ignored"
        ));
    }
    let mut missing = 0usize;
    let risks = opts
        .risks
        .iter()
        .map(|r| {
            let mut tasks = Vec::new();
            for &u in &r.task_uids {
                let e = expand(u);
                missing += usize::from(e.is_empty());
                tasks.extend(e);
            }
            RiskEvent {
                probability: r.probability,
                delay: r.delay,
                tasks,
                cost: r.cost,
            }
        })
        .collect();
    if missing > 0 {
        notes.push(format!("{missing} risk task UIDs not found"));
    }
    MspdiMcInput {
        input: McInput {
            tasks: out,
            links,
            risks,
        },
        uids,
        names,
        notes,
    }
}

/// What the JSON report shows besides the result itself.
pub struct ReportOptions<'a> {
    /// Label of each engine task, usually its MSPDI UID (falls back to the task index).
    pub uids: &'a [i32],
    /// Task names (optional, same order).
    pub names: &'a [Option<String>],
    /// Histogram bins for finish and cost.
    pub histogram_bins: usize,
    /// Working-time unit name of the engine values ("working days").
    pub units: &'a str,
    /// Maps a finish in working units from the project start to a date text.
    pub to_date: Option<&'a dyn Fn(f64) -> Option<String>>,
    /// Targets for "probability of finishing by": (label, working units).
    pub targets: &'a [(String, f64)],
    /// Extra notes (e.g. from [`input_from_mspdi`]).
    pub notes: &'a [String],
}

impl Default for ReportOptions<'_> {
    fn default() -> Self {
        ReportOptions {
            uids: &[],
            names: &[],
            histogram_bins: 20,
            units: "working days",
            to_date: None,
            targets: &[],
            notes: &[],
        }
    }
}

fn round(v: f64, digits: i32) -> Value {
    if !v.is_finite() {
        return Value::Null;
    }
    let k = 10f64.powi(digits);
    json!((v * k).round() / k)
}

fn point(v: f64, opts: &ReportOptions<'_>) -> Value {
    let mut o = json!({ "value": round(v, 3) });
    if let Some(f) = opts.to_date {
        o["date"] = f(v).map_or(Value::Null, Value::String);
    }
    o
}

fn histogram_json(h: &Histogram) -> Value {
    json!({
        "start": round(h.start, 4),
        "width": round(h.width, 4),
        "counts": h.counts,
    })
}

fn deciles(s: &Samples, f: impl Fn(f64) -> Value) -> Value {
    let mut m = serde_json::Map::new();
    for (i, v) in s.deciles().iter().enumerate() {
        m.insert(format!("P{}", (i + 1) * 10), f(*v));
    }
    Value::Object(m)
}

fn diagnostic_text(d: &McDiagnostic) -> String {
    match d {
        McDiagnostic::LinkIgnored { link } => {
            format!("link {link} ignored (unknown task or self-link)")
        }
        McDiagnostic::CycleLinkDropped { link } => {
            format!("link {link} dropped: it closed a cycle")
        }
        McDiagnostic::NonFiniteDuration { task } => {
            format!("task {task}: non-finite duration set to 0")
        }
        McDiagnostic::DistributionRepaired { task, risk } => match (task, risk) {
            (Some(t), _) => format!("task {t}: three-point values sorted/clamped at 0"),
            (_, Some(r)) => format!("risk {r}: delay/cost values sorted/clamped at 0"),
            _ => "distribution repaired".to_string(),
        },
        McDiagnostic::ProbabilityClamped { risk } => {
            format!("risk {risk}: probability clamped to [0, 1]")
        }
        McDiagnostic::RiskTaskIgnored { risk, task } => {
            format!("risk {risk}: unknown task {task} ignored")
        }
        McDiagnostic::NonFiniteValueZeroed { task, link } => match (task, link) {
            (Some(t), _) => format!("task {t}: non-finite release/cost set to 0"),
            (_, Some(l)) => format!("link {l}: non-finite lag set to 0"),
            _ => "non-finite value set to 0".to_string(),
        },
    }
}

/// The JSON report of a Monte Carlo run: finish percentiles P10…P90 (working units and,
/// with `to_date`, dates), mean/std, histogram, probability of meeting each target, cost
/// distribution, and per task (by UID) criticality, sensitivity (Pearson) and mean
/// duration, plus risk occurrence rates and diagnostics.
pub fn report(input: &McInput, result: &McResult, opts: &ReportOptions<'_>) -> Value {
    let f = &result.finish;
    let c = &result.cost;
    let crit = result.criticality.as_deref();
    let sens = result.sensitivity.as_deref();
    let mean_d = result.mean_duration.as_deref();
    let tasks: Vec<Value> = (0..input.tasks.len())
        .map(|i| {
            let mut o = json!({
                "uid": opts.uids.get(i).map_or(i as i64, |&u| i64::from(u)),
                "most_likely": round(input.tasks[i].duration.most_likely(), 3),
            });
            if let Some(Some(n)) = opts.names.get(i) {
                o["name"] = json!(n);
            }
            if let Some(v) = crit {
                o["criticality"] = round(v[i], 4);
            }
            if let Some(v) = sens {
                o["sensitivity"] = round(v[i], 4);
            }
            if let Some(v) = mean_d {
                o["mean_duration"] = round(v[i], 3);
            }
            o
        })
        .collect();
    let targets: Vec<Value> = opts
        .targets
        .iter()
        .map(|(label, t)| {
            let mut o = point(*t, opts);
            o["label"] = json!(label);
            o["probability"] = round(result.prob_finish_by(*t), 4);
            o
        })
        .collect();
    let risks: Vec<Value> = result
        .risk_occurrence
        .iter()
        .enumerate()
        .map(|(i, p)| json!({ "index": i, "occurrence": round(*p, 4) }))
        .collect();
    let mut notes: Vec<String> = opts.notes.to_vec();
    notes.extend(result.diagnostics.iter().map(diagnostic_text));
    json!({
        "monte_carlo": {
            "iterations": result.iterations,
            "seed": result.seed,
            "units": opts.units,
            "deterministic_finish": point(result.deterministic_finish, opts),
            "finish": {
                "mean": round(f.mean(), 3),
                "std": round(f.std(), 3),
                "min": point(f.min(), opts),
                "max": point(f.max(), opts),
                "percentiles": deciles(f, |v| point(v, opts)),
                "histogram": histogram_json(&f.histogram(opts.histogram_bins)),
            },
            "probability_finish_by": targets,
            "cost": {
                "mean": round(c.mean(), 2),
                "std": round(c.std(), 2),
                "percentiles": deciles(c, |v| round(v, 2)),
                "histogram": histogram_json(&c.histogram(opts.histogram_bins)),
            },
            "sensitivity_method": "pearson",
            "criticality_definition": "share of iterations in which the task is on a driving path to the project finish",
            "tasks": tasks,
            "risks": risks,
            "notes": notes,
        }
    })
}

/// One call for `atrium schedule FILE.xml --monte-carlo N --json`: maps the project
/// ([`input_from_mspdi`]), runs `iterations` iterations with `seed` on all cores (with
/// criticality and sensitivity) and returns the report. `to_date` maps working days from
/// the project start to a date text (normally via the project calendar); `targets` are
/// (label, working days) for the probability of finishing by them.
pub fn monte_carlo_json(
    project: &Project,
    iterations: usize,
    seed: u64,
    mc: &MspdiMcOptions,
    to_date: Option<&dyn Fn(f64) -> Option<String>>,
    targets: &[(String, f64)],
) -> Value {
    let m = input_from_mspdi(project, mc);
    let opts = McOptions {
        iterations,
        seed,
        threads: 0,
        criticality: true,
        sensitivity: true,
    };
    let result = simulate(&m.input, &opts);
    let ropts = ReportOptions {
        uids: &m.uids,
        names: &m.names,
        to_date,
        targets,
        notes: &m.notes,
        ..ReportOptions::default()
    };
    report(&m.input, &result, &ropts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mspdi::{PredecessorLink, Task};

    fn task(uid: i32, minutes: i64, level: u16, summary: bool) -> Task {
        Task {
            uid,
            name: Some(format!("T{uid}")),
            duration: Some(minutes),
            outline_level: Some(level),
            summary,
            ..Task::default()
        }
    }

    fn fs(uid: i32, lag_tenths: i64) -> PredecessorLink {
        PredecessorLink {
            predecessor_uid: uid,
            link_type: LinkType::FinishToStart,
            cross_project: false,
            cross_project_name: None,
            lag: lag_tenths,
            lag_format: None,
        }
    }

    fn project() -> Project {
        // 1 summary { 2 (5 d), 3 (10 d, after 2) }, 4 (2 d, after summary 1 + 1 day lag),
        // 5 milestone after 4.
        let mut t2 = task(2, 5 * 480, 2, false);
        t2.fixed_cost = Some(10_000);
        t2.cost = Some(60_000);
        let mut t3 = task(3, 10 * 480, 2, false);
        t3.predecessors.push(fs(2, 0));
        let mut t4 = task(4, 2 * 480, 1, false);
        t4.predecessors.push(fs(1, 4800));
        let mut t5 = task(5, 0, 1, false);
        t5.milestone = true;
        t5.predecessors.push(fs(4, 0));
        Project {
            tasks: vec![
                task(0, 0, 0, true),
                task(1, 15 * 480, 1, true),
                t2,
                t3,
                t4,
                t5,
            ],
            ..Project::default()
        }
    }

    #[test]
    fn mspdi_tasks_get_the_documented_default_spread() {
        let m = input_from_mspdi(&project(), &MspdiMcOptions::default());
        assert_eq!(m.uids, vec![2, 3, 4, 5]);
        assert_eq!(
            m.input.tasks[0].duration,
            Dist::Triangular {
                min: 4.5,
                mode: 5.0,
                max: 6.5
            }
        );
        assert_eq!(m.input.tasks[3].duration, Dist::Fixed(0.0));
        // Cost 600.00 of which 100.00 fixed: 500 over 5 days = 100 per day.
        assert_eq!(m.input.tasks[0].fixed_cost, 100.0);
        assert_eq!(m.input.tasks[0].cost_rate, 100.0);
        // Summary 1's successor link moved to its leaves 2 and 3, lag 4800 tenths = 1 day.
        let mut links: Vec<(usize, usize, f64)> = m
            .input
            .links
            .iter()
            .map(|l| (l.pred, l.succ, l.lag))
            .collect();
        links.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
        assert_eq!(
            links,
            vec![(0, 1, 0.0), (0, 2, 1.0), (1, 2, 1.0), (2, 3, 0.0)]
        );
        assert!(m.notes.iter().any(|n| n.contains("summary")));

        let mut o = MspdiMcOptions::default();
        o.estimates.insert(3, [8.0, 9.0, 20.0]);
        o.default.shape = Shape::Fixed;
        let m = input_from_mspdi(&project(), &o);
        assert_eq!(m.input.tasks[0].duration, Dist::Fixed(5.0));
        assert_eq!(
            m.input.tasks[1].duration,
            Dist::Triangular {
                min: 8.0,
                mode: 9.0,
                max: 20.0
            }
        );
    }

    #[test]
    fn a_generated_mspdi_file_runs_end_to_end() {
        let xml = include_bytes!("../tests/fixtures/mspdi/gen100_seed1.xml");
        let project = crate::mspdi::parse(xml).expect("parse").project;
        let fixed = MspdiMcOptions {
            default: ThreePointDefault {
                shape: Shape::Fixed,
                ..ThreePointDefault::default()
            },
            ..MspdiMcOptions::default()
        };
        let m = input_from_mspdi(&project, &fixed);
        assert_eq!(m.input.tasks.len(), 100);
        assert!(m.input.links.len() > 100, "{} links", m.input.links.len());
        let v = monte_carlo_json(&project, 200, 7, &fixed, None, &[]);
        let mc = &v["monte_carlo"];
        assert_eq!(
            mc["notes"].as_array().map(Vec::len),
            Some(0),
            "{}",
            mc["notes"]
        );
        // Fixed durations: every percentile is the deterministic finish.
        let det = mc["deterministic_finish"]["value"].as_f64().expect("det");
        assert!(det > 10.0);
        assert_eq!(mc["finish"]["percentiles"]["P10"]["value"], det);
        assert_eq!(mc["finish"]["percentiles"]["P90"]["value"], det);
        // Default spread (-10 %/+30 %, triangular): the finish moves right of it.
        let v = monte_carlo_json(&project, 2_000, 7, &MspdiMcOptions::default(), None, &[]);
        let p = &v["monte_carlo"]["finish"]["percentiles"];
        let (p10, p50, p90) = (
            p["P10"]["value"].as_f64().expect("p10"),
            p["P50"]["value"].as_f64().expect("p50"),
            p["P90"]["value"].as_f64().expect("p90"),
        );
        assert!(
            det < p10 && p10 < p50 && p50 < p90 && p90 < 1.3 * det,
            "{det} {p10} {p50} {p90}"
        );
    }

    #[test]
    fn uid_risks_and_the_one_call_report() {
        let mut mc = MspdiMcOptions::default();
        mc.default.shape = Shape::Fixed;
        mc.risks.push(UidRisk {
            probability: 1.0,
            delay: Dist::Fixed(2.0),
            task_uids: vec![1, 99],
            cost: Dist::Fixed(500.0),
        });
        let m = input_from_mspdi(&project(), &mc);
        assert_eq!(m.input.risks[0].tasks, vec![0, 1]);
        assert!(m.notes.iter().any(|n| n.contains("risk task UIDs")));
        let v = monte_carlo_json(&project(), 100, 1, &mc, None, &[]);
        let mc = &v["monte_carlo"];
        // Fixed 5 + 10 + 1 + 2 days, the risk delays both leaves of summary 1 by 2 days.
        assert_eq!(mc["finish"]["percentiles"]["P50"]["value"], 22.0);
        assert_eq!(mc["deterministic_finish"]["value"], 18.0);
        assert_eq!(mc["risks"][0]["occurrence"], 1.0);
        assert!(mc["finish"]["percentiles"]["P50"].get("date").is_none());
        // Cost: task 2 is 100 fixed + 100/day over its 5 + 2 delayed days, plus the risk's 500
        // (a delay keeps the task's resources, so its duration-proportional cost grows).
        assert_eq!(mc["cost"]["mean"], 1300.0);
    }

    #[test]
    fn report_has_percentiles_dates_histogram_and_per_task_figures() {
        let m = input_from_mspdi(&project(), &MspdiMcOptions::default());
        let r = simulate(
            &m.input,
            &McOptions {
                iterations: 4_000,
                seed: 3,
                ..McOptions::default()
            },
        );
        let to_date = |v: f64| Some(format!("day {}", v.ceil()));
        let targets = vec![("deadline".to_string(), 18.0), ("late".to_string(), 100.0)];
        let opts = ReportOptions {
            uids: &m.uids,
            names: &m.names,
            to_date: Some(&to_date),
            targets: &targets,
            notes: &m.notes,
            ..ReportOptions::default()
        };
        let v = report(&m.input, &r, &opts);
        let mc = &v["monte_carlo"];
        assert_eq!(mc["iterations"], 4000);
        assert_eq!(mc["deterministic_finish"]["value"], 18.0);
        let p50 = mc["finish"]["percentiles"]["P50"]["value"]
            .as_f64()
            .expect("p50");
        let p80 = mc["finish"]["percentiles"]["P80"]["value"]
            .as_f64()
            .expect("p80");
        // 5 + 10 + 1 + 2 days with -10 %/+30 % spreads: finish between 16.2 and 22.4.
        assert!(p50 > 18.0 && p50 < p80 && p80 < 22.4, "{p50} {p80}");
        assert!(
            mc["finish"]["percentiles"]["P50"]["date"]
                .as_str()
                .expect("date")
                .starts_with("day ")
        );
        let counts = mc["finish"]["histogram"]["counts"]
            .as_array()
            .expect("counts");
        assert_eq!(counts.len(), 20);
        assert_eq!(
            counts
                .iter()
                .map(|c| c.as_u64().expect("count"))
                .sum::<u64>(),
            4000
        );
        let pt = &mc["probability_finish_by"];
        assert!(pt[0]["probability"].as_f64().expect("p") < 0.2);
        assert_eq!(pt[1]["probability"], 1.0);
        let tasks = mc["tasks"].as_array().expect("tasks");
        assert_eq!(tasks.len(), 4);
        assert_eq!(tasks[1]["uid"], 3);
        assert_eq!(tasks[1]["name"], "T3");
        assert_eq!(tasks[1]["criticality"], 1.0);
        assert!(tasks[1]["sensitivity"].as_f64().expect("s") > 0.5);
        assert_eq!(tasks[3]["sensitivity"], 0.0);
        // Cost: 100 fixed + 100/day × task 2's sampled duration, mean 100 + 100 × 16/3.
        let mean_cost = mc["cost"]["mean"].as_f64().expect("cost");
        assert!(
            (mean_cost - (100.0 + 100.0 * 16.0 / 3.0)).abs() < 5.0,
            "{mean_cost}"
        );
        assert_eq!(mc["sensitivity_method"], "pearson");
    }
}
