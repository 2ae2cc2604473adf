//! PSPLIB single-mode RCPSP files: the `.sm` instance reader, the `bounds.csv` and
//! `j30opt.sm`-style solution-table readers, conversion to the engine's
//! [`Problem`](atrium_schedule::rcpsp::Problem), and an independent schedule checker.
//!
//! Files are treated as hostile: every malformed, inconsistent or oversized input gives a
//! [`PsplibError`] with the line number; nothing panics.

use atrium_schedule::rcpsp::{Activity, Capacity, Link, Problem};

/// Largest accepted job count, duration, demand or capacity (PSPLIB values are tiny; this
/// keeps hostile files from requesting huge allocations or overflowing sums).
const MAX_JOBS: usize = 100_000;
const MAX_RESOURCES: usize = 1_000;
const MAX_VALUE: u64 = 1_000_000;

/// Why a file was refused. `line` is 1-based (0 when the problem is not tied to a line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PsplibError {
    pub line: usize,
    pub message: String,
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, PsplibError> {
    Err(PsplibError {
        line,
        message: message.into(),
    })
}

/// A parsed single-mode `.sm` instance. Jobs are 0-based here (PSPLIB job `k` is index
/// `k - 1`); job 0 is the source and the last job the sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmInstance {
    /// Header `horizon` (sum of durations), if present.
    pub horizon: Option<u64>,
    /// `MPM-Time` of the project information block (critical-path length), if present.
    pub mpm_time: Option<u64>,
    pub durations: Vec<u32>,
    /// Per job, one demand per renewable resource.
    pub demands: Vec<Vec<u32>>,
    /// Per job, its successors (0-based).
    pub successors: Vec<Vec<usize>>,
    /// Renewable capacities.
    pub capacities: Vec<u32>,
}

fn num(tok: &str, line: usize, what: &str) -> Result<u64, PsplibError> {
    match tok.parse::<u64>() {
        Ok(v) if v <= MAX_VALUE => Ok(v),
        Ok(_) => err(line, format!("{what} {tok} is too large (max {MAX_VALUE})")),
        Err(_) => err(
            line,
            format!("expected a non-negative integer for {what}, found {tok:?}"),
        ),
    }
}

/// The value after the `:` of a header line like `jobs (incl. supersource/sink ):  32`.
fn header_value(l: &str, line: usize) -> Result<u64, PsplibError> {
    let Some((_, v)) = l.split_once(':') else {
        return err(line, "header line without ':'");
    };
    let Some(tok) = v.split_whitespace().next() else {
        return err(line, "header line without a value");
    };
    num(tok, line, "header value")
}

/// Parse a single-mode PSPLIB `.sm` file.
pub fn parse_sm(text: &str) -> Result<SmInstance, PsplibError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut jobs: Option<usize> = None;
    let mut renewable: Option<usize> = None;
    let mut horizon = None;
    let mut mpm_time = None;
    let mut prec_at = None;
    let mut req_at = None;
    let mut avail_at = None;
    let mut info_at = None;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if t.starts_with("jobs (incl. supersource/sink") {
            let v = header_value(t, i + 1)? as usize;
            if !(2..=MAX_JOBS).contains(&v) {
                return err(i + 1, format!("job count {v} out of range 2..={MAX_JOBS}"));
            }
            jobs = Some(v);
        } else if t.starts_with("horizon") {
            horizon = Some(header_value(t, i + 1)?);
        } else if t.starts_with("- renewable") {
            let v = header_value(t, i + 1)? as usize;
            if v > MAX_RESOURCES {
                return err(i + 1, format!("{v} resources is too many"));
            }
            renewable = Some(v);
        } else if t.starts_with("- nonrenewable") || t.starts_with("- doubly constrained") {
            if header_value(t, i + 1)? != 0 {
                return err(
                    i + 1,
                    "nonrenewable / doubly constrained resources are not supported",
                );
            }
        } else if t.starts_with("PROJECT INFORMATION") {
            info_at = Some(i);
        } else if t.starts_with("PRECEDENCE RELATIONS") {
            prec_at = Some(i);
        } else if t.starts_with("REQUESTS/DURATIONS") {
            req_at = Some(i);
        } else if t.starts_with("RESOURCEAVAILABILITIES") {
            avail_at = Some(i);
        }
    }
    let Some(n) = jobs else {
        return err(0, "missing 'jobs (incl. supersource/sink )' header");
    };
    let Some(nr) = renewable else {
        return err(0, "missing '- renewable' header");
    };
    let (Some(prec_at), Some(req_at), Some(avail_at)) = (prec_at, req_at, avail_at) else {
        return err(
            0,
            "missing PRECEDENCE RELATIONS, REQUESTS/DURATIONS or RESOURCEAVAILABILITIES",
        );
    };

    // Data rows of a section: lines after the header whose first token is a number, up to
    // the first separator line (`****`).
    let rows = |start: usize| -> Vec<(usize, Vec<&str>)> {
        let mut out = Vec::new();
        for (i, l) in lines.iter().enumerate().skip(start + 1) {
            let t = l.trim();
            if t.starts_with('*') {
                break;
            }
            let toks: Vec<&str> = t.split_whitespace().collect();
            if toks
                .first()
                .is_some_and(|x| x.bytes().all(|b| b.is_ascii_digit()))
            {
                out.push((i + 1, toks));
            }
        }
        out
    };

    if let Some(at) = info_at
        && let Some((line, toks)) = rows(at).first()
        && toks.len() >= 6
    {
        mpm_time = Some(num(toks[5], *line, "MPM-Time")?);
    }

    let prec = rows(prec_at);
    if prec.len() != n {
        return err(
            prec_at + 1,
            format!(
                "PRECEDENCE RELATIONS has {} job rows, expected {n}",
                prec.len()
            ),
        );
    }
    let mut successors = vec![Vec::new(); n];
    let mut seen = vec![false; n];
    for (line, toks) in &prec {
        if toks.len() < 3 {
            return err(*line, "precedence row needs jobnr, #modes, #successors");
        }
        let job = num(toks[0], *line, "job number")? as usize;
        if job == 0 || job > n {
            return err(*line, format!("job number {job} out of range 1..={n}"));
        }
        if std::mem::replace(&mut seen[job - 1], true) {
            return err(*line, format!("job {job} listed twice"));
        }
        if num(toks[1], *line, "mode count")? != 1 {
            return err(*line, "only single-mode instances are supported");
        }
        let count = num(toks[2], *line, "successor count")? as usize;
        if toks.len() != 3 + count {
            return err(
                *line,
                format!(
                    "job {job} declares {count} successors but lists {}",
                    toks.len() - 3
                ),
            );
        }
        for tok in &toks[3..] {
            let s = num(tok, *line, "successor")? as usize;
            if s == 0 || s > n {
                return err(*line, format!("successor {s} out of range 1..={n}"));
            }
            if s == job {
                return err(*line, format!("job {job} is its own successor"));
            }
            successors[job - 1].push(s - 1);
        }
    }

    let req = rows(req_at);
    if req.len() != n {
        return err(
            req_at + 1,
            format!(
                "REQUESTS/DURATIONS has {} job rows, expected {n}",
                req.len()
            ),
        );
    }
    let mut durations = vec![0u32; n];
    let mut demands = vec![Vec::new(); n];
    let mut seen = vec![false; n];
    for (line, toks) in &req {
        if toks.len() != 3 + nr {
            return err(
                *line,
                format!("request row needs jobnr, mode, duration and {nr} demands"),
            );
        }
        let job = num(toks[0], *line, "job number")? as usize;
        if job == 0 || job > n {
            return err(*line, format!("job number {job} out of range 1..={n}"));
        }
        if std::mem::replace(&mut seen[job - 1], true) {
            return err(*line, format!("job {job} listed twice"));
        }
        if num(toks[1], *line, "mode")? != 1 {
            return err(*line, "only mode 1 is supported");
        }
        durations[job - 1] = num(toks[2], *line, "duration")? as u32;
        demands[job - 1] = toks[3..]
            .iter()
            .map(|t| num(t, *line, "demand").map(|v| v as u32))
            .collect::<Result<_, _>>()?;
    }

    let avail = rows(avail_at);
    let Some((line, toks)) = avail.first() else {
        return err(avail_at + 1, "RESOURCEAVAILABILITIES has no capacity row");
    };
    if toks.len() != nr {
        return err(
            *line,
            format!("expected {nr} capacities, found {}", toks.len()),
        );
    }
    let capacities: Vec<u32> = toks
        .iter()
        .map(|t| num(t, *line, "capacity").map(|v| v as u32))
        .collect::<Result<_, _>>()?;

    // A job needing more than the capacity can never run: the instance is infeasible.
    for (j, d) in demands.iter().enumerate() {
        for (r, (&q, &c)) in d.iter().zip(&capacities).enumerate() {
            if q > c {
                let line = req
                    .iter()
                    .find(|(_, t)| t[0] == (j + 1).to_string())
                    .map_or(0, |x| x.0);
                return err(
                    line,
                    format!(
                        "job {} demands {q} of resource {} but the capacity is {c}",
                        j + 1,
                        r + 1
                    ),
                );
            }
        }
    }
    let inst = SmInstance {
        horizon,
        mpm_time,
        durations,
        demands,
        successors,
        capacities,
    };
    if inst.has_cycle() {
        return err(prec_at + 1, "precedence relations contain a cycle");
    }
    Ok(inst)
}

impl SmInstance {
    /// Number of jobs (with the two dummies).
    pub fn jobs(&self) -> usize {
        self.durations.len()
    }

    fn has_cycle(&self) -> bool {
        let n = self.jobs();
        let mut indeg = vec![0usize; n];
        for s in self.successors.iter().flatten() {
            indeg[*s] += 1;
        }
        let mut stack: Vec<usize> = (0..n).filter(|&j| indeg[j] == 0).collect();
        let mut seen = 0;
        while let Some(j) = stack.pop() {
            seen += 1;
            for &s in &self.successors[j] {
                indeg[s] -= 1;
                if indeg[s] == 0 {
                    stack.push(s);
                }
            }
        }
        seen != n
    }

    /// The engine's model: constant capacities, finish-to-start links with zero lag.
    pub fn to_problem(&self) -> Problem {
        Problem {
            activities: self
                .durations
                .iter()
                .zip(&self.demands)
                .map(|(&duration, d)| Activity {
                    duration,
                    demands: d.clone(),
                })
                .collect(),
            resources: self
                .capacities
                .iter()
                .map(|&c| Capacity::constant(c))
                .collect(),
            links: self
                .successors
                .iter()
                .enumerate()
                .flat_map(|(i, ss)| ss.iter().map(move |&s| Link::fs(i, s)))
                .collect(),
        }
    }

    /// Critical-path length, computed here independently of the engine.
    pub fn critical_path(&self) -> u64 {
        let n = self.jobs();
        let mut indeg = vec![0usize; n];
        for s in self.successors.iter().flatten() {
            indeg[*s] += 1;
        }
        let mut es = vec![0u64; n];
        let mut stack: Vec<usize> = (0..n).filter(|&j| indeg[j] == 0).collect();
        let mut len = 0;
        while let Some(j) = stack.pop() {
            let f = es[j] + u64::from(self.durations[j]);
            len = len.max(f);
            for &s in &self.successors[j] {
                es[s] = es[s].max(f);
                indeg[s] -= 1;
                if indeg[s] == 0 {
                    stack.push(s);
                }
            }
        }
        len
    }

    /// Independent schedule checker: every start is given, every successor starts no
    /// earlier than its predecessor finishes, and in every period the summed demand on each
    /// resource stays within capacity. Returns the makespan (latest finish).
    pub fn check(&self, starts: &[u32]) -> Result<u64, String> {
        let n = self.jobs();
        if starts.len() != n {
            return Err(format!("{} starts for {n} jobs", starts.len()));
        }
        let finish = |j: usize| u64::from(starts[j]) + u64::from(self.durations[j]);
        for (i, ss) in self.successors.iter().enumerate() {
            for &s in ss {
                if u64::from(starts[s]) < finish(i) {
                    return Err(format!(
                        "job {} starts at {} before predecessor {} finishes at {}",
                        s + 1,
                        starts[s],
                        i + 1,
                        finish(i)
                    ));
                }
            }
        }
        let makespan = (0..n).map(finish).max().unwrap_or(0);
        // Event sweep per resource: +demand at start, -demand at finish; at equal times the
        // releases come first (a job finishing at t frees its units for period t).
        let mut events: Vec<(u64, i64)> = Vec::with_capacity(2 * n);
        for (r, &cap) in self.capacities.iter().enumerate() {
            events.clear();
            for (j, &s) in starts.iter().enumerate() {
                let q = i64::from(self.demands[j].get(r).copied().unwrap_or(0));
                if self.durations[j] > 0 && q > 0 {
                    events.push((u64::from(s), q));
                    events.push((finish(j), -q));
                }
            }
            events.sort_unstable();
            let mut load = 0i64;
            for &(t, q) in &events {
                load += q;
                if load > i64::from(cap) {
                    return Err(format!(
                        "resource {} over capacity in period {t}: {load} > {cap}",
                        r + 1
                    ));
                }
            }
        }
        Ok(makespan)
    }
}

/// One row of `bounds.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundsRow {
    pub set: String,
    pub instance: String,
    pub cp_lb: u64,
    pub lb: Option<u64>,
    pub ub: Option<u64>,
    pub optimal: bool,
}

/// Parse `bounds.csv` (header `set,instance,par,inst,jobs,resources,cp_lb,lb,ub,optimal,...`).
pub fn parse_bounds_csv(text: &str) -> Result<Vec<BoundsRow>, PsplibError> {
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return err(1, "empty bounds file");
    };
    let cols: Vec<&str> = header.trim().split(',').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name);
    let (Some(c_set), Some(c_inst), Some(c_cp), Some(c_lb), Some(c_ub), Some(c_opt)) = (
        col("set"),
        col("instance"),
        col("cp_lb"),
        col("lb"),
        col("ub"),
        col("optimal"),
    ) else {
        return err(1, "bounds header lacks set/instance/cp_lb/lb/ub/optimal");
    };
    let opt_num = |s: &str, line: usize| -> Result<Option<u64>, PsplibError> {
        if s.is_empty() {
            Ok(None)
        } else {
            num(s, line, "bound").map(Some)
        }
    };
    let mut out = Vec::new();
    for (i, l) in lines {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split(',').collect();
        let get = |c: usize| f.get(c).copied().unwrap_or("");
        if f.len() < cols.len().min(c_opt + 1) {
            return err(i + 1, "too few columns");
        }
        out.push(BoundsRow {
            set: get(c_set).to_string(),
            instance: get(c_inst).to_string(),
            cp_lb: num(get(c_cp), i + 1, "cp_lb")?,
            lb: opt_num(get(c_lb), i + 1)?,
            ub: opt_num(get(c_ub), i + 1)?,
            optimal: get(c_opt) == "1",
        });
    }
    Ok(out)
}

/// Parse a PSPLIB solution table such as `j30opt.sm` or `j120hrs.sm`: rows
/// `parameter instance makespan ...` after the dashed line. Returns `(par, inst, makespan)`.
pub fn parse_solution_table(text: &str) -> Result<Vec<(u32, u32, u64)>, PsplibError> {
    let mut out = Vec::new();
    let mut in_body = false;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with("---") {
            in_body = true;
            continue;
        }
        if !in_body || t.is_empty() {
            continue;
        }
        let toks: Vec<&str> = t.split_whitespace().collect();
        if toks.len() < 3 || !toks[0].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let par = num(toks[0], i + 1, "parameter")? as u32;
        let inst = num(toks[1], i + 1, "instance")? as u32;
        let mk = num(toks[2], i + 1, "makespan")?;
        out.push((par, inst, mk));
    }
    if out.is_empty() {
        return err(0, "no solution rows found");
    }
    Ok(out)
}
