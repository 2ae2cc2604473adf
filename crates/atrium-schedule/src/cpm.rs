//! The critical path method: forward and backward passes over an index-based task network
//! with every link type, lag kind and constraint, progress, manually scheduled and external
//! tasks, summary roll-up, floats and critical paths.
//!
//! The date rules follow MS Project as reproduced by MPXJ's `MicrosoftScheduler` (the
//! reference the test fixtures are checked against): a task starts at the next working
//! minute, a finish lands at the end of the last working minute (17:00, not 08:00 the next
//! day), a late finish at the start of a working period moves back to the end of the previous
//! one, and lag is counted on the successor's calendar.
//!
//! Layout: inputs are plain vectors addressed by task index; the engine builds compressed
//! (CSR) predecessor/successor lists and one topological order, then runs each pass as a
//! single loop over that order, so time and memory are linear in tasks + links.

use crate::calendar::{Calendar, CalendarDef, DateTime, Span};

/// How a link ties the predecessor to the successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// The successor starts after the predecessor finishes.
    FinishStart,
    /// The successor starts after the predecessor starts.
    StartStart,
    /// The successor finishes after the predecessor finishes.
    FinishFinish,
    /// The successor finishes after the predecessor starts.
    StartFinish,
}

/// Lag (positive) or lead (negative) on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lag {
    /// Working minutes on the successor's calendar.
    Work(i64),
    /// Elapsed (clock) minutes.
    Elapsed(i64),
    /// Hundredths of a percent of the predecessor's duration (5000 = 50 %).
    Percent(i64),
}

/// A dependency between two tasks (indices into [`Project::tasks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Link {
    /// Predecessor task index.
    pub pred: u32,
    /// Successor task index.
    pub succ: u32,
    /// Link type.
    pub kind: LinkKind,
    /// Lag or lead.
    pub lag: Lag,
}

/// Date constraint on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConstraintKind {
    /// As soon as possible.
    #[default]
    Asap,
    /// As late as possible.
    Alap,
    /// Start no earlier than the date.
    Snet,
    /// Start no later than the date.
    Snlt,
    /// Finish no earlier than the date.
    Fnet,
    /// Finish no later than the date.
    Fnlt,
    /// Must start on the date.
    Mso,
    /// Must finish on the date.
    Mfo,
}

/// How a task's dates are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Scheduled by the engine.
    #[default]
    Auto,
    /// Manually scheduled: kept at these dates (it still drives its successors).
    Manual {
        /// Start as entered.
        start: DateTime,
        /// Finish as entered.
        finish: DateTime,
    },
    /// A task of another project: fixed dates given as input.
    External {
        /// Its start.
        start: DateTime,
        /// Its finish.
        finish: DateTime,
    },
}

/// One task. A task that is the `parent` of another is a summary: its own duration and links
/// are replaced by its children's roll-up (links on it apply to all its leaf tasks).
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Duration: working minutes on the task's calendar, or elapsed minutes.
    pub duration: Span,
    /// Index into [`Project::calendars`].
    pub calendar: u32,
    /// Auto, manual or external.
    pub mode: Mode,
    /// Flagged as a milestone (may sit at the end of a working day).
    pub milestone: bool,
    /// Constraint type.
    pub constraint: ConstraintKind,
    /// Constraint date (needed by every kind except ASAP/ALAP).
    pub constraint_date: Option<DateTime>,
    /// Deadline: limits the late finish, and a finish after it is reported.
    pub deadline: Option<DateTime>,
    /// Actual start (progress).
    pub actual_start: Option<DateTime>,
    /// Actual finish (progress).
    pub actual_finish: Option<DateTime>,
    /// % complete, 0–100 (used when `remaining` is not given).
    pub percent_complete: f64,
    /// Remaining duration; default from duration and % complete.
    pub remaining: Option<Span>,
    /// Parent summary task index.
    pub parent: Option<u32>,
    /// Work in minutes (rolled up to summaries).
    pub work: i64,
    /// Cost in minor currency units (rolled up to summaries).
    pub cost: i64,
}

impl Default for Task {
    fn default() -> Task {
        Task {
            duration: Span::Work(0),
            calendar: 0,
            mode: Mode::Auto,
            milestone: false,
            constraint: ConstraintKind::Asap,
            constraint_date: None,
            deadline: None,
            actual_start: None,
            actual_finish: None,
            percent_complete: 0.0,
            remaining: None,
            parent: None,
            work: 0,
            cost: 0,
        }
    }
}

impl Task {
    /// An auto-scheduled task of `minutes` working minutes on calendar 0.
    pub fn work_minutes(minutes: i64) -> Task {
        Task {
            duration: Span::Work(minutes),
            ..Task::default()
        }
    }
}

/// The whole input of one scheduling run.
#[derive(Debug, Clone)]
pub struct Project {
    /// Project start: tasks without predecessors start here (at the next working minute).
    pub start: DateTime,
    /// Status date: with it, completed work lies before it and remaining work after it: the
    /// remaining part of a task in progress resumes, and a task not yet started starts, no
    /// earlier than this date. Without it, progress is taken as recorded (MS Project's and
    /// MPXJ's default).
    pub status_date: Option<DateTime>,
    /// Compiled calendars; index 0 is the project calendar.
    pub calendars: Vec<Calendar>,
    /// Tasks.
    pub tasks: Vec<Task>,
    /// Links.
    pub links: Vec<Link>,
}

/// Something about the plan worth telling the user; never a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Diagnostic {
    /// These tasks form a dependency cycle; the links among them that run backwards in task
    /// order were ignored to break it.
    Cycle {
        /// Task indices in the cycle.
        tasks: Vec<u32>,
    },
    /// The constraint cannot be met together with the links (MS Project's scheduling
    /// conflict); the constraint was honoured.
    ConstraintConflict {
        /// Task index.
        task: u32,
        /// The constraint.
        constraint: ConstraintKind,
        /// Its date.
        date: DateTime,
        /// The earliest start the links allow.
        link_start: DateTime,
    },
    /// A constraint other than ASAP/ALAP without a date; treated as ASAP.
    MissingConstraintDate {
        /// Task index.
        task: u32,
    },
    /// The task finishes after its deadline.
    DeadlineMissed {
        /// Task index.
        task: u32,
        /// The deadline.
        deadline: DateTime,
        /// The scheduled finish.
        finish: DateTime,
    },
    /// A link names a task that does not exist, or a task links to itself; ignored.
    InvalidLink {
        /// Index into [`Project::links`].
        link: u32,
    },
    /// A task's parent chain loops or names a missing task; the parent was ignored.
    InvalidParent {
        /// Task index.
        task: u32,
    },
    /// A task names a calendar that does not exist; calendar 0 was used.
    InvalidCalendar {
        /// Task index.
        task: u32,
    },
}

/// Result of [`schedule`], one entry per task in every vector (same indices as the input).
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// Project start (earliest start of any task).
    pub project_start: DateTime,
    /// Project finish (latest early finish).
    pub project_finish: DateTime,
    /// Early start.
    pub early_start: Vec<DateTime>,
    /// Early finish.
    pub early_finish: Vec<DateTime>,
    /// Late start.
    pub late_start: Vec<DateTime>,
    /// Late finish.
    pub late_finish: Vec<DateTime>,
    /// Scheduled start (early, late for ALAP, actual when started, as entered when manual).
    pub start: Vec<DateTime>,
    /// Scheduled finish.
    pub finish: Vec<DateTime>,
    /// Total float in working minutes of the task's calendar (negative when late).
    pub total_float: Vec<i64>,
    /// Free float in working minutes of the task's calendar.
    pub free_float: Vec<i64>,
    /// Critical: total float ≤ 0 and not finished.
    pub critical: Vec<bool>,
    /// The task has children.
    pub summary: Vec<bool>,
    /// Work in minutes (summaries: sum of children).
    pub work: Vec<i64>,
    /// Cost (summaries: sum of children).
    pub cost: Vec<i64>,
    /// % complete (summaries: duration-weighted).
    pub percent_complete: Vec<f64>,
    /// Chains of critical leaf tasks joined by driving links, each in topological order.
    pub critical_paths: Vec<Vec<u32>>,
    /// Leaf tasks in the topological order used.
    pub order: Vec<u32>,
    /// Diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// Compressed adjacency: `items[off[i]..off[i + 1]]` are the links of node `i`, stored
/// contiguously (a copy per direction) so that passes read them sequentially.
struct Csr {
    off: Vec<u32>,
    items: Vec<ELink>,
}

impl Csr {
    fn build(n: usize, links: &[ELink], key: impl Fn(&ELink) -> u32) -> Csr {
        let mut off = vec![0u32; n + 1];
        for l in links {
            off[key(l) as usize + 1] += 1;
        }
        for i in 0..n {
            off[i + 1] += off[i];
        }
        let mut fill = off.clone();
        let mut items = links.to_vec();
        for l in links {
            let s = key(l) as usize;
            items[fill[s] as usize] = *l;
            fill[s] += 1;
        }
        Csr { off, items }
    }

    fn empty(n: usize) -> Csr {
        Csr {
            off: vec![0; n + 1],
            items: Vec::new(),
        }
    }

    fn of(&self, i: usize) -> &[ELink] {
        &self.items[self.off[i] as usize..self.off[i + 1] as usize]
    }
}

/// An effective link between two leaf tasks (summary links expanded).
#[derive(Debug, Clone, Copy)]
struct ELink {
    pred: u32,
    succ: u32,
    kind: LinkKind,
    lag: Lag,
}

/// Kahn's algorithm; returns the order and whether every node was placed.
fn topo(n: usize, succs: &Csr, active: &[bool]) -> (Vec<u32>, bool) {
    let mut indeg = vec![0u32; n];
    for l in &succs.items {
        indeg[l.succ as usize] += 1;
    }
    let mut order = Vec::with_capacity(n);
    let mut count = 0usize;
    for i in 0..n {
        if active[i] {
            count += 1;
            if indeg[i] == 0 {
                order.push(i as u32);
            }
        }
    }
    let mut head = 0;
    while head < order.len() {
        let i = order[head] as usize;
        head += 1;
        for l in succs.of(i) {
            let s = l.succ as usize;
            indeg[s] -= 1;
            if indeg[s] == 0 {
                order.push(s as u32);
            }
        }
    }
    let complete = order.len() == count;
    (order, complete)
}

/// Strongly connected components with more than one node or a self loop (iterative Tarjan).
fn cycles(n: usize, succs: &Csr) -> Vec<Vec<u32>> {
    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    let mut next = 0u32;
    let mut call: Vec<(u32, u32)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        call.push((root as u32, 0));
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            let vu = v as usize;
            if *pos == 0 && index[vu] == UNSEEN {
                index[vu] = next;
                low[vu] = next;
                next += 1;
                stack.push(v);
                on_stack[vu] = true;
            }
            let edges = succs.of(vu);
            if (*pos as usize) < edges.len() {
                let w = edges[*pos as usize].succ as usize;
                *pos += 1;
                if index[w] == UNSEEN {
                    call.push((w as u32, 0));
                } else if on_stack[w] {
                    low[vu] = low[vu].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                let p = parent as usize;
                low[p] = low[p].min(low[vu]);
            }
            if low[vu] == index[vu] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                let self_loop = comp.len() == 1 && succs.of(vu).iter().any(|l| l.succ == v);
                if comp.len() > 1 || self_loop {
                    comp.sort_unstable();
                    out.push(comp);
                }
            }
        }
    }
    out
}

/// Per-task values derived once from the input.
struct Prep<'a> {
    cals: &'a [Calendar],
    cal: Vec<u32>,
    /// Duration in minutes (work or elapsed per `elapsed`).
    dur: Vec<i64>,
    elapsed: Vec<bool>,
    /// Remaining duration in minutes.
    rem: Vec<i64>,
    /// Per-task flags (bits below), so the hot loops never touch the wide `Task` records.
    flags: Vec<u8>,
}

/// Has an actual start.
const STARTED: u8 = 1;
/// Has an actual finish.
const FINISHED: u8 = 2;
/// As late as possible.
const ALAP: u8 = 4;
/// Auto-scheduled, ASAP, no constraint, deadline, progress or milestone flag: the fast path.
const PLAIN: u8 = 8;
/// Flagged milestone.
const MILESTONE: u8 = 16;

impl Prep<'_> {
    fn has(&self, i: usize, flag: u8) -> bool {
        self.flags[i] & flag != 0
    }

    fn cal(&self, i: usize) -> &Calendar {
        &self.cals[self.cal[i] as usize]
    }

    fn span(&self, i: usize, minutes: i64) -> Span {
        if self.elapsed[i] {
            Span::Elapsed(minutes)
        } else {
            Span::Work(minutes)
        }
    }

    /// `t` plus the task's duration on its calendar.
    fn plus_dur(&self, i: usize, t: i64) -> i64 {
        self.cal(i).add(DateTime(t), self.span(i, self.dur[i])).0
    }

    fn minus_dur(&self, i: usize, t: i64) -> i64 {
        self.cal(i).add(DateTime(t), self.span(i, -self.dur[i])).0
    }

    fn minus_rem(&self, i: usize, t: i64) -> i64 {
        self.cal(i).add(DateTime(t), self.span(i, -self.rem[i])).0
    }

    /// Lag of a link as a span on the successor's calendar, signed by `dir`.
    fn lag_span(&self, l: &ELink, dir: i64) -> Option<Span> {
        match l.lag {
            Lag::Work(0) | Lag::Elapsed(0) | Lag::Percent(0) => None,
            Lag::Work(n) => Some(Span::Work(dir * n)),
            Lag::Elapsed(n) => Some(Span::Elapsed(dir * n)),
            Lag::Percent(p) => {
                let p_i = l.pred as usize;
                // Rounded to the minute, in the predecessor's duration kind.
                let m = (self.dur[p_i] as i128 * p as i128 / 10_000) as i64;
                Some(self.span(p_i, dir * m))
            }
        }
    }

    fn add_lag(&self, l: &ELink, t: i64) -> i64 {
        match self.lag_span(l, 1) {
            None => t,
            Some(s) => self.cal(l.succ as usize).add(DateTime(t), s).0,
        }
    }

    fn remove_lag(&self, l: &ELink, t: i64) -> i64 {
        match self.lag_span(l, -1) {
            None => t,
            Some(s) => self.cal(l.succ as usize).add(DateTime(t), s).0,
        }
    }

    /// For a plain task: the next working minute at or after `t`, and the finish after the
    /// task's duration from there (one position lookup for both).
    fn start_and_finish(&self, i: usize, t: i64) -> (i64, i64) {
        let c = self.cal(i);
        if self.elapsed[i] {
            let s = c.next_work_start(DateTime(t)).0;
            return (s, s + self.dur[i]);
        }
        let pos = c.position(DateTime(t));
        let s = c.instant_start(pos).0.max(t);
        let f = if self.dur[i] == 0 {
            s
        } else {
            c.instant_end(pos + self.dur[i]).0
        };
        (s, f)
    }

    /// For a plain task: the late finish moved back to the end of a working period, and the
    /// late start its remaining duration before it.
    fn late_finish_and_start(&self, i: usize, t: i64) -> (i64, i64) {
        let c = self.cal(i);
        if self.elapsed[i] {
            let f = c.previous_work_finish(DateTime(t)).0;
            return (f, f - self.rem[i]);
        }
        let pos = c.position(DateTime(t));
        let f = c.instant_end(pos).0.min(t);
        let s = if self.rem[i] == 0 {
            f
        } else {
            c.instant_start(pos - self.rem[i]).0
        };
        (f, s)
    }

    /// Next working minute, except that a milestone may sit at the end of a working period.
    fn next_work_start(&self, i: usize, milestone: bool, t: i64) -> i64 {
        let c = self.cal(i);
        let n = c.next_work_start(DateTime(t)).0;
        if n > t && milestone && c.previous_work_finish(DateTime(t)).0 == t {
            return t;
        }
        n
    }
}

/// Working state of the passes.
struct State {
    es: Vec<i64>,
    ef: Vec<i64>,
    ls: Vec<i64>,
    lf: Vec<i64>,
    /// Late start from the late finish and remaining duration, before actuals replace it.
    calc_ls: Vec<i64>,
    backward_done: bool,
}

struct Engine<'a> {
    p: &'a Project,
    prep: Prep<'a>,
    preds: Csr,
    succs: Csr,
    order: Vec<u32>,
    st: State,
    project_finish: i64,
    diags: Vec<Diagnostic>,
    /// Constraint conflicts found in the last forward pass (reported once at the end).
    conflicts: Vec<Diagnostic>,
}

impl Engine<'_> {
    fn is_alap_link(&self, l: &ELink) -> bool {
        self.st.backward_done
            && self.prep.has(l.pred as usize, ALAP)
            && !self.prep.has(l.succ as usize, ALAP)
    }

    fn pred_start(&self, l: &ELink) -> i64 {
        if self.is_alap_link(l) {
            self.st.ls[l.pred as usize]
        } else {
            self.st.es[l.pred as usize]
        }
    }

    fn pred_finish(&self, l: &ELink) -> i64 {
        let p = l.pred as usize;
        if self.prep.has(p, FINISHED)
            && let Some(af) = self.p.tasks[p].actual_finish
        {
            return af.0;
        }
        if self.is_alap_link(l) {
            self.st.lf[p]
        } else {
            self.st.ef[p]
        }
    }

    /// The earliest start of the successor allowed by one link.
    fn link_early_start(&self, l: &ELink) -> i64 {
        let s = l.succ as usize;
        match l.kind {
            LinkKind::FinishStart => self.prep.add_lag(l, self.pred_finish(l)),
            LinkKind::StartStart => {
                let p = l.pred as usize;
                let t = if self.prep.has(p, FINISHED) {
                    self.p.tasks[p]
                        .actual_start
                        .map_or(self.pred_start(l), |a| a.0)
                } else {
                    self.pred_start(l)
                };
                self.prep.add_lag(l, t)
            }
            LinkKind::FinishFinish => {
                let t = self
                    .prep
                    .add_lag(l, self.prep.minus_rem(s, self.pred_finish(l)));
                t.max(self.p.start.0)
            }
            LinkKind::StartFinish => self
                .prep
                .add_lag(l, self.prep.minus_dur(s, self.pred_start(l))),
        }
    }

    fn forward_task(&mut self, i: usize) {
        if self.prep.has(i, PLAIN) {
            let pl = self.preds.of(i);
            let mut s = if pl.is_empty() {
                self.p.start.0
            } else {
                let mut m = i64::MIN;
                for l in pl {
                    m = m.max(self.link_early_start(l));
                }
                m
            };
            if let Some(sd) = self.p.status_date {
                // Work not started by the status date is all remaining: it comes after it.
                s = s.max(sd.0);
            }
            let (es, ef) = self.prep.start_and_finish(i, s);
            self.st.es[i] = es;
            self.st.ef[i] = ef;
            return;
        }
        let t = &self.p.tasks[i];
        match t.mode {
            Mode::Manual { start, finish } | Mode::External { start, finish } => {
                self.st.es[i] = start.0;
                self.st.ef[i] = finish.0;
                return;
            }
            Mode::Auto => {}
        }
        let cdate = t.constraint_date.map(|d| d.0);
        let kind = if cdate.is_some() {
            t.constraint
        } else {
            match t.constraint {
                ConstraintKind::Asap | ConstraintKind::Alap => t.constraint,
                _ => ConstraintKind::Asap,
            }
        };
        let c = cdate.unwrap_or(0);
        let mut ef: Option<i64> = None;
        let es;
        if let Some(a) = t.actual_start {
            es = a.0;
            if let Some(af) = t.actual_finish {
                ef = Some(af.0);
            } else {
                let mut f = match self.p.status_date {
                    // Completed part before the status date, the rest after it.
                    Some(sd) => {
                        let done = (self.prep.dur[i] - self.prep.rem[i]).max(0);
                        let resume = self.prep.cal(i).add(DateTime(a.0), self.prep.span(i, done));
                        let resume = resume.0.max(sd.0);
                        let resume = self.prep.next_work_start(i, t.milestone, resume);
                        self.prep
                            .cal(i)
                            .add(DateTime(resume), self.prep.span(i, self.prep.rem[i]))
                            .0
                    }
                    None => self.prep.plus_dur(i, es),
                };
                if kind == ConstraintKind::Fnet && f < c {
                    f = c;
                }
                ef = Some(f);
            }
        } else {
            let pl = self.preds.of(i);
            let has_preds = !pl.is_empty();
            let mut s = if has_preds {
                let mut m = i64::MIN;
                for l in pl {
                    m = m.max(self.link_early_start(l));
                }
                m
            } else {
                match kind {
                    ConstraintKind::Snet => c,
                    ConstraintKind::Fnet => {
                        ef = Some(c);
                        self.prep.minus_dur(i, c)
                    }
                    _ => self.prep.next_work_start(i, t.milestone, self.p.start.0),
                }
            };
            if let Some(sd) = self.p.status_date {
                // Work not started by the status date is all remaining: it comes after it.
                s = s.max(sd.0);
            }
            s = self.prep.next_work_start(i, t.milestone, s);
            let link_start = s;
            match kind {
                ConstraintKind::Snet => s = s.max(c),
                ConstraintKind::Fnlt => s = s.min(self.prep.minus_dur(i, c)),
                ConstraintKind::Fnet => s = s.max(self.prep.minus_dur(i, c)),
                ConstraintKind::Snlt => s = s.min(c),
                ConstraintKind::Mso => s = c,
                ConstraintKind::Mfo => {
                    ef = Some(c);
                    s = self.prep.minus_dur(i, c);
                }
                ConstraintKind::Asap | ConstraintKind::Alap => {}
            }
            if has_preds && s < link_start {
                self.conflicts.push(Diagnostic::ConstraintConflict {
                    task: i as u32,
                    constraint: kind,
                    date: DateTime(c),
                    link_start: DateTime(link_start),
                });
            }
            es = s;
        }
        self.st.es[i] = es;
        self.st.ef[i] = ef.unwrap_or_else(|| self.prep.plus_dur(i, es));
    }

    fn forward(&mut self) {
        self.conflicts.clear();
        for k in 0..self.order.len() {
            let i = self.order[k] as usize;
            self.forward_task(i);
        }
    }

    /// The latest finish of the predecessor allowed by one link.
    fn link_late_finish(&self, l: &ELink) -> i64 {
        let (p, s) = (l.pred as usize, l.succ as usize);
        let tp = &self.p.tasks[p];
        let ts = &self.p.tasks[s];
        let pf = self.project_finish;
        let lf = match l.kind {
            LinkKind::FinishStart => self.prep.remove_lag(l, self.st.calc_ls[s]),
            LinkKind::StartStart => {
                let p_manual = matches!(tp.mode, Mode::Manual { .. });
                let s_has_succs = !self.succs.of(s).is_empty();
                if tp.actual_start.is_some() {
                    pf
                } else if let Some(sa) = ts.actual_start {
                    if !s_has_succs {
                        pf
                    } else {
                        let done = (self.prep.dur[s] - self.prep.rem[s]).max(0);
                        let ls = self.prep.cal(s).add(sa, self.prep.span(s, done)).0;
                        self.prep.plus_dur(p, ls)
                    }
                } else if p_manual && !s_has_succs {
                    self.st.lf[s]
                } else if p_manual {
                    pf
                } else {
                    let nws = self.prep.cal(p).next_work_start(DateTime(self.st.ls[s])).0;
                    let ls = self.prep.remove_lag(l, nws);
                    self.prep.plus_dur(p, ls)
                }
            }
            LinkKind::FinishFinish => self.prep.remove_lag(l, self.st.lf[s]),
            LinkKind::StartFinish => self
                .prep
                .remove_lag(l, self.prep.plus_dur(p, self.st.lf[s])),
        };
        lf.min(pf)
    }

    fn backward_task(&mut self, i: usize) {
        if self.prep.has(i, PLAIN) {
            let mut lf = i64::MAX;
            let mut any = false;
            for l in self.succs.of(i) {
                if self.prep.has(l.succ as usize, FINISHED) {
                    continue;
                }
                any = true;
                lf = lf.min(self.link_late_finish(l));
            }
            if !any {
                lf = self.project_finish;
            }
            let (lf, ls) = self.prep.late_finish_and_start(i, lf);
            self.st.lf[i] = lf;
            self.st.ls[i] = ls;
            self.st.calc_ls[i] = ls;
            return;
        }
        let t = &self.p.tasks[i];
        if let Mode::External { start, finish } = t.mode {
            self.st.ls[i] = start.0;
            self.st.lf[i] = finish.0;
            self.st.calc_ls[i] = start.0;
            return;
        }
        let lf = if let Some(af) = t.actual_finish {
            af.0
        } else {
            let mut lf = i64::MAX;
            let mut any = false;
            for l in self.succs.of(i) {
                if self.prep.has(l.succ as usize, FINISHED) {
                    continue;
                }
                any = true;
                lf = lf.min(self.link_late_finish(l));
            }
            if !any {
                lf = self.project_finish;
            } else if t.milestone
                && self.prep.dur[i] == 0
                && let Some(a) = t.actual_start
            {
                lf = a.0;
            }
            if let Some(c) = t.constraint_date.map(|d| d.0) {
                match t.constraint {
                    ConstraintKind::Mso => lf = self.prep.plus_dur(i, c),
                    ConstraintKind::Mfo => lf = c,
                    ConstraintKind::Snlt => lf = lf.min(self.prep.plus_dur(i, c)),
                    ConstraintKind::Fnlt => lf = lf.min(c),
                    _ => {}
                }
            }
            if let Some(d) = t.deadline {
                lf = lf.min(d.0);
            }
            self.prep.cal(i).previous_work_finish(DateTime(lf)).0
        };
        let (ls, calc) = match t.mode {
            Mode::Manual { .. } => {
                let calc = self.prep.minus_dur(i, lf);
                match (t.actual_finish, t.actual_start) {
                    (Some(_), Some(a)) => (a.0, calc),
                    _ => (calc, calc),
                }
            }
            _ => {
                let calc = self.prep.minus_rem(i, lf);
                (t.actual_start.map_or(calc, |a| a.0), calc)
            }
        };
        self.st.lf[i] = lf;
        self.st.ls[i] = ls;
        self.st.calc_ls[i] = calc;
    }

    fn backward(&mut self) {
        for k in (0..self.order.len()).rev() {
            let i = self.order[k] as usize;
            self.backward_task(i);
        }
    }
}

/// Builds effective leaf-to-leaf links: a link on a summary applies to all its leaf tasks,
/// except that a start-driven link from a summary comes from its earliest leaf (MS Project).
fn expand_links(
    p: &Project,
    is_leaf: &[bool],
    leaves_of: &dyn Fn(usize) -> Vec<u32>,
    early_start: Option<&[i64]>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ELink> {
    let n = p.tasks.len();
    let mut out = Vec::with_capacity(p.links.len());
    for (k, l) in p.links.iter().enumerate() {
        let (a, b) = (l.pred as usize, l.succ as usize);
        if a >= n || b >= n || a == b {
            if early_start.is_none() {
                diags.push(Diagnostic::InvalidLink { link: k as u32 });
            }
            continue;
        }
        if is_leaf[a] && is_leaf[b] {
            out.push(ELink {
                pred: l.pred,
                succ: l.succ,
                kind: l.kind,
                lag: l.lag,
            });
            continue;
        }
        // Summary links take part only in the second round, as in MS Project/MPXJ.
        let Some(es) = early_start else { continue };
        let preds: Vec<u32> = if is_leaf[a] {
            vec![l.pred]
        } else {
            let leaves = leaves_of(a);
            match l.kind {
                LinkKind::StartStart | LinkKind::StartFinish => leaves
                    .iter()
                    .copied()
                    .min_by_key(|&x| (es[x as usize], x))
                    .into_iter()
                    .collect(),
                _ => leaves,
            }
        };
        let succs: Vec<u32> = if is_leaf[b] {
            vec![l.succ]
        } else {
            leaves_of(b)
        };
        for &x in &preds {
            for &y in &succs {
                if x != y {
                    out.push(ELink {
                        pred: x,
                        succ: y,
                        kind: l.kind,
                        lag: l.lag,
                    });
                }
            }
        }
    }
    out
}

/// Schedules a project: forward and backward passes, floats, critical paths, roll-up.
pub fn schedule(p: &Project) -> Schedule {
    let n = p.tasks.len();
    let mut diags = Vec::new();
    let fallback;
    let cals: &[Calendar] = if p.calendars.is_empty() {
        fallback = [CalendarDef::standard().compile()];
        &fallback
    } else {
        &p.calendars
    };

    // Hierarchy: validated parents, children lists, depth.
    let mut parent: Vec<Option<u32>> = vec![None; n];
    for (i, t) in p.tasks.iter().enumerate() {
        if let Some(q) = t.parent {
            if (q as usize) < n && q as usize != i {
                parent[i] = Some(q);
            } else {
                diags.push(Diagnostic::InvalidParent { task: i as u32 });
            }
        }
    }
    // Break parent loops: walk up at most n steps.
    let mut depth = vec![0u32; n];
    for i in 0..n {
        let mut d = 0u32;
        let mut cur = parent[i];
        while let Some(q) = cur {
            d += 1;
            if d as usize > n {
                break;
            }
            cur = parent[q as usize];
        }
        if d as usize > n {
            parent[i] = None;
            diags.push(Diagnostic::InvalidParent { task: i as u32 });
            d = 0;
        }
        depth[i] = d;
    }
    let mut child_off = vec![0u32; n + 1];
    for q in parent.iter().flatten() {
        child_off[*q as usize + 1] += 1;
    }
    for i in 0..n {
        child_off[i + 1] += child_off[i];
    }
    let mut child_items = vec![0u32; child_off[n] as usize];
    {
        let mut fill = child_off.clone();
        for (i, q) in parent.iter().enumerate() {
            if let Some(q) = q {
                child_items[fill[*q as usize] as usize] = i as u32;
                fill[*q as usize] += 1;
            }
        }
    }
    let children = |i: usize| &child_items[child_off[i] as usize..child_off[i + 1] as usize];
    let is_leaf: Vec<bool> = (0..n).map(|i| children(i).is_empty()).collect();
    let leaves_of = |i: usize| -> Vec<u32> {
        let mut out = Vec::new();
        let mut stack = vec![i as u32];
        while let Some(x) = stack.pop() {
            for &c in children(x as usize) {
                if is_leaf[c as usize] {
                    out.push(c);
                } else {
                    stack.push(c);
                }
            }
        }
        out.sort_unstable();
        out
    };

    // Per-task durations.
    let mut cal = Vec::with_capacity(n);
    let mut dur = Vec::with_capacity(n);
    let mut elapsed = Vec::with_capacity(n);
    let mut rem = Vec::with_capacity(n);
    let mut flags = Vec::with_capacity(n);
    for (i, t) in p.tasks.iter().enumerate() {
        if (t.calendar as usize) < cals.len() {
            cal.push(t.calendar);
        } else {
            diags.push(Diagnostic::InvalidCalendar { task: i as u32 });
            cal.push(0);
        }
        let d = t.duration.minutes().max(0);
        dur.push(d);
        elapsed.push(matches!(t.duration, Span::Elapsed(_)));
        let r = match (t.actual_finish, t.remaining) {
            (Some(_), _) => 0,
            (None, Some(r)) => r.minutes().max(0),
            (None, None) if t.actual_start.is_some() => {
                let pc = t.percent_complete.clamp(0.0, 100.0);
                (d as f64 * (100.0 - pc) / 100.0).round() as i64
            }
            (None, None) => d,
        };
        rem.push(r);
        let mut f = 0u8;
        if t.actual_start.is_some() {
            f |= STARTED;
        }
        if t.actual_finish.is_some() {
            f |= FINISHED;
        }
        if t.constraint == ConstraintKind::Alap {
            f |= ALAP;
        }
        if t.milestone {
            f |= MILESTONE;
        }
        if t.mode == Mode::Auto
            && t.constraint == ConstraintKind::Asap
            && t.deadline.is_none()
            && t.actual_start.is_none()
            && t.actual_finish.is_none()
            && !t.milestone
        {
            f |= PLAIN;
        }
        flags.push(f);
        if !matches!(t.constraint, ConstraintKind::Asap | ConstraintKind::Alap)
            && t.constraint_date.is_none()
        {
            diags.push(Diagnostic::MissingConstraintDate { task: i as u32 });
        }
    }
    let prep = Prep {
        cals,
        cal,
        dur,
        elapsed,
        rem,
        flags,
    };

    let has_summary_links = p.links.iter().any(|l| {
        let (a, b) = (l.pred as usize, l.succ as usize);
        a < n && b < n && (!is_leaf[a] || !is_leaf[b])
    });

    let st = State {
        es: vec![p.start.0; n],
        ef: vec![p.start.0; n],
        ls: vec![p.start.0; n],
        lf: vec![p.start.0; n],
        calc_ls: vec![p.start.0; n],
        backward_done: false,
    };
    let links = expand_links(p, &is_leaf, &leaves_of, None, &mut diags);
    let mut eng = Engine {
        p,
        prep,
        preds: Csr::empty(n),
        succs: Csr::empty(n),
        order: Vec::new(),
        st,
        project_finish: p.start.0,
        diags: Vec::new(),
        conflicts: Vec::new(),
    };
    let mut cycle_diags = Vec::new();
    install_links(&mut eng, links, &is_leaf, &mut cycle_diags);
    eng.forward();
    if has_summary_links {
        let mut ignored = Vec::new();
        let links = expand_links(p, &is_leaf, &leaves_of, Some(&eng.st.es), &mut ignored);
        cycle_diags.clear();
        install_links(&mut eng, links, &is_leaf, &mut cycle_diags);
        eng.forward();
    }
    diags.extend(cycle_diags);

    let leaves: Vec<usize> = (0..n).filter(|&i| is_leaf[i]).collect();
    eng.project_finish = leaves
        .iter()
        .map(|&i| eng.st.ef[i])
        .max()
        .unwrap_or(p.start.0);
    eng.backward();
    eng.st.backward_done = true;
    if leaves
        .iter()
        .any(|&i| p.tasks[i].constraint == ConstraintKind::Alap)
    {
        eng.forward();
    }
    diags.append(&mut eng.conflicts);
    diags.append(&mut eng.diags);

    let Engine {
        prep,
        preds: _,
        succs,
        order,
        st,
        project_finish,
        ..
    } = eng;
    let State { es, ef, ls, lf, .. } = st;

    // Scheduled dates, floats, critical flag for leaves.
    let mut start = vec![0i64; n];
    let mut finish = vec![0i64; n];
    let mut total_float = vec![0i64; n];
    let mut free_float = vec![0i64; n];
    let mut critical = vec![false; n];
    for &i in &leaves {
        if prep.has(i, PLAIN) {
            // Fast path: scheduled at the early dates; with one working duration on one
            // calendar the start and finish slack are equal, so one difference suffices.
            start[i] = es[i];
            finish[i] = ef[i];
            let c = prep.cal(i);
            let mut tf = c.work_between(DateTime(ef[i]), DateTime(lf[i]));
            if prep.elapsed[i] {
                tf = tf.min(c.work_between(DateTime(es[i]), DateTime(ls[i])));
            }
            total_float[i] = tf;
            critical[i] = tf <= 0;
            continue;
        }
        let t = &p.tasks[i];
        let (s, f) = match t.mode {
            Mode::Manual { start, finish } | Mode::External { start, finish } => {
                (start.0, finish.0)
            }
            Mode::Auto => {
                let alap = t.constraint == ConstraintKind::Alap;
                let s = t
                    .actual_start
                    .map_or(if alap { ls[i] } else { es[i] }, |a| a.0);
                let f = t
                    .actual_finish
                    .map_or(if alap { lf[i] } else { ef[i] }, |a| a.0);
                (s, f)
            }
        };
        start[i] = s;
        finish[i] = f;
        let c = prep.cal(i);
        // MS Project's rules: no slack once finished or for ALAP tasks (they sit at their
        // late dates); once started only the finish slack counts; else the smaller one.
        let tf = if t.actual_finish.is_some()
            || (t.constraint == ConstraintKind::Alap && t.mode == Mode::Auto)
        {
            0
        } else {
            let fs = c.work_between(DateTime(ef[i]), DateTime(lf[i]));
            if t.actual_start.is_some() {
                fs
            } else {
                fs.min(c.work_between(DateTime(es[i]), DateTime(ls[i])))
            }
        };
        total_float[i] = tf;
        critical[i] =
            t.actual_finish.is_none() && tf <= 0 && !matches!(t.mode, Mode::External { .. });
        if let Some(d) = t.deadline
            && f > d.0
        {
            diags.push(Diagnostic::DeadlineMissed {
                task: i as u32,
                deadline: d,
                finish: DateTime(f),
            });
        }
    }
    // Free float (MS Project): the smallest slack on a link to an unfinished successor, in
    // the predecessor's calendar, with ALAP tasks at their late dates; without such links the
    // total float; never negative nor above the total float; zero once finished.
    let alap = |i: usize| prep.has(i, ALAP) && p.tasks[i].mode == Mode::Auto;
    let sched_start = |i: usize| if alap(i) { ls[i] } else { es[i] };
    let sched_finish = |i: usize| if alap(i) { lf[i] } else { ef[i] };
    for &i in &leaves {
        if prep.has(i, FINISHED) {
            free_float[i] = 0;
            continue;
        }
        let c = prep.cal(i);
        let mut ff = i64::MAX;
        for l in succs.of(i) {
            let s = l.succ as usize;
            if prep.has(s, FINISHED) {
                continue;
            }
            let (from, to) = match l.kind {
                LinkKind::FinishStart => (sched_finish(i), sched_start(s)),
                LinkKind::StartStart => (sched_start(i), sched_start(s)),
                LinkKind::FinishFinish => (sched_finish(i), sched_finish(s)),
                LinkKind::StartFinish => (sched_start(i), sched_finish(s)),
            };
            ff = ff.min(c.work_between(DateTime(prep.add_lag(l, from)), DateTime(to)));
        }
        if ff == i64::MAX {
            ff = total_float[i];
        }
        // Free float never exceeds total float (a clamped link can leave more room than the
        // task really has).
        free_float[i] = ff.min(total_float[i]).max(0);
    }

    // Critical paths: components of critical leaves joined by zero-slack links.
    let critical_paths = critical_chains(&order, &succs, &critical, &es, &ef, &prep);

    // Roll up summaries, deepest first.
    let mut work: Vec<i64> = p.tasks.iter().map(|t| t.work).collect();
    let mut cost: Vec<i64> = p.tasks.iter().map(|t| t.cost).collect();
    let mut pct: Vec<f64> = p.tasks.iter().map(|t| t.percent_complete).collect();
    let (mut es, mut ef, mut ls, mut lf) = (es, ef, ls, lf);
    let mut summaries: Vec<usize> = (0..n).filter(|&i| !is_leaf[i]).collect();
    summaries.sort_by_key(|&i| std::cmp::Reverse(depth[i]));
    for &i in &summaries {
        let (mut s_es, mut s_ef, mut s_ls, mut s_lf) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
        let (mut s_s, mut s_f) = (i64::MAX, i64::MIN);
        let (mut w, mut co, mut dsum, mut done) = (0i64, 0i64, 0f64, 0f64);
        let mut crit = false;
        for &c in children(i) {
            let c = c as usize;
            let tc = &p.tasks[c];
            if tc.constraint == ConstraintKind::Alap && is_leaf[c] {
                s_es = s_es.min(ls[c]);
                s_ef = s_ef.max(lf[c]);
            } else {
                s_es = s_es.min(es[c]);
                s_ef = s_ef.max(ef[c]);
            }
            if matches!(tc.mode, Mode::Manual { .. }) && is_leaf[c] {
                s_ls = s_ls.min(es[c]);
                s_lf = s_lf.max(ef[c]);
            } else {
                s_ls = s_ls.min(ls[c]);
                s_lf = s_lf.max(lf[c]);
            }
            s_s = s_s.min(start[c]);
            s_f = s_f.max(finish[c]);
            w += work[c];
            co += cost[c];
            let cd = prep
                .cal(c)
                .work_between(DateTime(start[c]), DateTime(finish[c])) as f64;
            dsum += cd;
            done += cd * pct[c] / 100.0;
            crit |= critical[c];
        }
        es[i] = s_es;
        ef[i] = s_ef;
        ls[i] = s_ls;
        lf[i] = s_lf;
        start[i] = s_s;
        finish[i] = s_f;
        work[i] = w;
        cost[i] = co;
        pct[i] = if dsum > 0.0 { 100.0 * done / dsum } else { 0.0 };
        critical[i] = crit;
        let c = prep.cal(i);
        let ss = c.work_between(DateTime(es[i]), DateTime(ls[i]));
        let fs = c.work_between(DateTime(ef[i]), DateTime(lf[i]));
        total_float[i] = ss.min(fs);
        free_float[i] = 0;
    }

    // MS Project keeps the entered start unless a task (actual, manual) starts before it.
    let project_start = leaves
        .iter()
        .map(|&i| start[i])
        .min()
        .map_or(p.start.0, |s| s.min(p.start.0));
    let to_dt = |v: Vec<i64>| v.into_iter().map(DateTime).collect::<Vec<_>>();
    Schedule {
        project_start: DateTime(project_start),
        project_finish: DateTime(project_finish),
        early_start: to_dt(es),
        early_finish: to_dt(ef),
        late_start: to_dt(ls),
        late_finish: to_dt(lf),
        start: to_dt(start),
        finish: to_dt(finish),
        total_float,
        free_float,
        critical,
        summary: is_leaf.iter().map(|&l| !l).collect(),
        work,
        cost,
        percent_complete: pct,
        critical_paths,
        order,
        diagnostics: diags,
    }
}

/// Installs links into the engine: CSR lists and topological order; cycles are reported
/// and their internal links dropped so the rest can be scheduled.
fn install_links(
    eng: &mut Engine<'_>,
    mut links: Vec<ELink>,
    is_leaf: &[bool],
    diags: &mut Vec<Diagnostic>,
) {
    let n = is_leaf.len();
    let mut succs = Csr::build(n, &links, |l| l.pred);
    let (mut order, complete) = topo(n, &succs, is_leaf);
    if !complete {
        let comps = cycles(n, &succs);
        let mut comp_of = vec![u32::MAX; n];
        for (ci, comp) in comps.iter().enumerate() {
            for &t in comp {
                comp_of[t as usize] = ci as u32;
            }
        }
        // Inside a cycle keep the links that run forward in task order: that breaks every
        // cycle (what remains inside a component is ordered by index) while keeping as much
        // of the intended logic as possible.
        links.retain(|l| {
            let a = comp_of[l.pred as usize];
            a == u32::MAX || a != comp_of[l.succ as usize] || l.pred < l.succ
        });
        for comp in comps {
            diags.push(Diagnostic::Cycle { tasks: comp });
        }
        succs = Csr::build(n, &links, |l| l.pred);
        order = topo(n, &succs, is_leaf).0;
    }
    eng.preds = Csr::build(n, &links, |l| l.succ);
    eng.succs = succs;
    eng.order = order;
}

/// Groups critical leaves joined by driving (zero-slack) links into chains.
fn critical_chains(
    order: &[u32],
    succs: &Csr,
    critical: &[bool],
    es: &[i64],
    ef: &[i64],
    prep: &Prep<'_>,
) -> Vec<Vec<u32>> {
    let n = critical.len();
    // Union-find over critical tasks.
    let mut up: Vec<u32> = (0..n as u32).collect();
    fn find(up: &mut [u32], mut x: u32) -> u32 {
        while up[x as usize] != x {
            let g = up[up[x as usize] as usize];
            up[x as usize] = g;
            x = g;
        }
        x
    }
    for &i in order {
        let i = i as usize;
        if !critical[i] {
            continue;
        }
        for l in succs.of(i) {
            let s = l.succ as usize;
            if !critical[s] {
                continue;
            }
            let (from, to) = match l.kind {
                LinkKind::FinishStart => (prep.add_lag(l, ef[i]), es[s]),
                LinkKind::StartStart => (prep.add_lag(l, es[i]), es[s]),
                LinkKind::FinishFinish => (prep.add_lag(l, ef[i]), ef[s]),
                LinkKind::StartFinish => (prep.add_lag(l, es[i]), ef[s]),
            };
            if prep.cal(i).work_between(DateTime(from), DateTime(to)) <= 0 {
                let (a, b) = (find(&mut up, i as u32), find(&mut up, s as u32));
                if a != b {
                    up[a as usize] = b;
                }
            }
        }
    }
    let mut group_of = vec![u32::MAX; n];
    let mut out: Vec<Vec<u32>> = Vec::new();
    for &i in order {
        if !critical[i as usize] {
            continue;
        }
        let r = find(&mut up, i) as usize;
        if group_of[r] == u32::MAX {
            group_of[r] = out.len() as u32;
            out.push(Vec::new());
        }
        out[group_of[r] as usize].push(i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    fn project(tasks: Vec<Task>, links: Vec<Link>) -> Project {
        Project {
            start: dt("2001-01-01T08:00"),
            status_date: None,
            calendars: vec![CalendarDef::standard().compile()],
            tasks,
            links,
        }
    }

    fn fs(pred: u32, succ: u32) -> Link {
        Link {
            pred,
            succ,
            kind: LinkKind::FinishStart,
            lag: Lag::Work(0),
        }
    }

    #[test]
    fn summary_rolls_up_dates_work_cost_and_progress() {
        let mut a = Task::work_minutes(960);
        a.parent = Some(0);
        a.work = 960;
        a.cost = 100;
        a.percent_complete = 100.0;
        a.actual_start = Some(dt("2001-01-01T08:00"));
        a.actual_finish = Some(dt("2001-01-02T17:00"));
        let mut b = Task::work_minutes(960);
        b.parent = Some(0);
        b.work = 480;
        b.cost = 50;
        let s = schedule(&project(
            vec![Task::work_minutes(0), a, b, Task::work_minutes(480)],
            vec![fs(1, 2), fs(0, 3)],
        ));
        assert!(s.summary[0] && !s.summary[1]);
        assert_eq!(s.early_start[0], dt("2001-01-01T08:00"));
        assert_eq!(s.early_finish[0], dt("2001-01-04T17:00"));
        assert_eq!(s.work[0], 1440);
        assert_eq!(s.cost[0], 150);
        assert!((s.percent_complete[0] - 50.0).abs() < 1e-9);
        // A link on the summary applies to its leaves: task 3 follows b.
        assert_eq!(s.early_start[3], dt("2001-01-05T08:00"));
        assert!(s.critical[0] && s.critical[2] && !s.critical[1]);
        assert_eq!(s.critical_paths, vec![vec![2, 3]]);
    }

    #[test]
    fn external_and_elapsed_tasks() {
        let ext = Task {
            mode: Mode::External {
                start: dt("2001-01-08T08:00"),
                finish: dt("2001-01-10T17:00"),
            },
            ..Task::default()
        };
        let elapsed = Task {
            duration: Span::Elapsed(3 * 1440),
            ..Task::default()
        };
        let s = schedule(&project(vec![ext, elapsed], vec![fs(0, 1)]));
        assert_eq!(s.early_start[1], dt("2001-01-11T08:00"));
        assert_eq!(s.early_finish[1], dt("2001-01-14T08:00"));
        assert_eq!(s.late_finish[0], dt("2001-01-10T17:00"));
        assert!(!s.critical[0]);
    }

    #[test]
    fn deadlines_conflicts_and_bad_input_are_diagnostics() {
        let late = Task {
            deadline: Some(dt("2001-01-02T17:00")),
            ..Task::work_minutes(3 * 480)
        };
        let mso = Task {
            constraint: ConstraintKind::Mso,
            constraint_date: Some(dt("2001-01-02T08:00")),
            ..Task::work_minutes(480)
        };
        let no_date = Task {
            constraint: ConstraintKind::Snet,
            calendar: 7,
            parent: Some(3),
            ..Task::work_minutes(480)
        };
        let mut looped = Task::work_minutes(480);
        looped.parent = Some(2);
        let s = schedule(&project(
            vec![late, mso, no_date, looped],
            vec![fs(0, 1), fs(0, 9), fs(1, 1)],
        ));
        let d = &s.diagnostics;
        assert!(d.contains(&Diagnostic::DeadlineMissed {
            task: 0,
            deadline: dt("2001-01-02T17:00"),
            finish: dt("2001-01-03T17:00"),
        }));
        assert!(d.iter().any(|x| matches!(
            x,
            Diagnostic::ConstraintConflict {
                task: 1,
                constraint: ConstraintKind::Mso,
                ..
            }
        )));
        assert!(d.contains(&Diagnostic::MissingConstraintDate { task: 2 }));
        assert!(d.contains(&Diagnostic::InvalidCalendar { task: 2 }));
        assert!(d.contains(&Diagnostic::InvalidLink { link: 1 }));
        assert!(d.contains(&Diagnostic::InvalidLink { link: 2 }));
        assert!(
            d.iter()
                .any(|x| matches!(x, Diagnostic::InvalidParent { .. }))
        );
        // The deadline pulls the late finish in: negative float, critical.
        assert!(s.total_float[0] < 0 && s.critical[0]);
        assert_eq!(s.early_start[1], dt("2001-01-02T08:00"));
    }

    #[test]
    fn empty_project_and_no_calendars() {
        let mut p = project(vec![], vec![]);
        p.calendars.clear();
        let s = schedule(&p);
        assert_eq!(s.project_finish, p.start);
        p.tasks.push(Task::work_minutes(480));
        let s = schedule(&p);
        assert_eq!(s.early_finish[0], dt("2001-01-01T17:00"));
    }
}
