//! Line-based text form of a [`Problem`], used for recorded test fixtures (so that reference
//! optima computed by an independent solver can be checked without any extra tooling).
//!
//! ```text
//! years 2
//! roles 3
//! budget 100 200
//! capacity 0 5 5 5 5 5 5 5 5
//! cand 0 12.5 1 2 F      # index value start_quarter max_shift force(F|I|O)
//! cost 1000 2000
//! demand 0 0 1.5         # role relative_quarter amount
//! requires 3 0           # dependent prerequisite
//! excludes 1 2
//! ```

use crate::model::{Candidate, Demand, Dependency, Force, Problem};

/// Writes the text form (floats in shortest round-trip notation).
pub fn to_text(p: &Problem) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "years {}\nroles {}\n",
        p.fiscal_years,
        p.roles.len()
    ));
    s.push_str("budget");
    for b in &p.budget_per_year {
        s.push_str(&format!(" {b}"));
    }
    s.push('\n');
    for (r, row) in p.capacity.iter().enumerate() {
        s.push_str(&format!("capacity {r}"));
        for c in row {
            s.push_str(&format!(" {c:?}"));
        }
        s.push('\n');
    }
    for (i, c) in p.candidates.iter().enumerate() {
        let f = match c.force {
            Force::Free => 'F',
            Force::In => 'I',
            Force::Out => 'O',
        };
        s.push_str(&format!(
            "cand {i} {:?} {} {} {f}\ncost",
            c.value, c.start_quarter, c.max_shift
        ));
        for v in &c.cost_per_year {
            s.push_str(&format!(" {v}"));
        }
        s.push('\n');
        for d in &c.demand {
            s.push_str(&format!("demand {} {} {:?}\n", d.role, d.quarter, d.amount));
        }
    }
    for d in &p.dependencies {
        match d {
            Dependency::Requires {
                dependent,
                prerequisite,
            } => s.push_str(&format!("requires {dependent} {prerequisite}\n")),
            Dependency::Excludes(a, b) => s.push_str(&format!("excludes {a} {b}\n")),
        }
    }
    s
}

fn num<T: std::str::FromStr>(tok: Option<&str>, line: usize) -> Result<T, String> {
    tok.ok_or_else(|| format!("line {line}: missing field"))?
        .parse()
        .map_err(|_| format!("line {line}: bad number"))
}

/// Parses the text form; lines starting with `#` and unknown keywords are ignored.
pub fn from_text(text: &str) -> Result<Problem, String> {
    let mut p = Problem::default();
    for (ln, line) in text.lines().enumerate() {
        let line_no = ln + 1;
        let mut it = line.split_whitespace();
        let Some(key) = it.next() else { continue };
        match key {
            "years" => p.fiscal_years = num(it.next(), line_no)?,
            "roles" => {
                let n: usize = num(it.next(), line_no)?;
                p.roles = (0..n).map(|r| format!("R{r:02}")).collect();
            }
            "budget" => {
                p.budget_per_year = it
                    .map(|t| num(Some(t), line_no))
                    .collect::<Result<_, _>>()?
            }
            "capacity" => {
                let r: usize = num(it.next(), line_no)?;
                let row: Vec<f64> = it
                    .map(|t| num(Some(t), line_no))
                    .collect::<Result<_, _>>()?;
                if p.capacity.len() <= r {
                    p.capacity.resize(r + 1, Vec::new());
                }
                p.capacity[r] = row;
            }
            "cand" => {
                let _idx: usize = num(it.next(), line_no)?;
                let value: f64 = num(it.next(), line_no)?;
                let start_quarter: usize = num(it.next(), line_no)?;
                let max_shift: usize = num(it.next(), line_no)?;
                let force = match it.next() {
                    Some("I") => Force::In,
                    Some("O") => Force::Out,
                    _ => Force::Free,
                };
                p.candidates.push(Candidate {
                    name: format!("C{:03}", p.candidates.len()),
                    value,
                    start_quarter,
                    max_shift,
                    cost_per_year: Vec::new(),
                    demand: Vec::new(),
                    force,
                });
            }
            "cost" => {
                let v: Vec<i64> = it
                    .map(|t| num(Some(t), line_no))
                    .collect::<Result<_, _>>()?;
                let c = p
                    .candidates
                    .last_mut()
                    .ok_or_else(|| format!("line {line_no}: cost before cand"))?;
                c.cost_per_year = v;
            }
            "demand" => {
                let role = num(it.next(), line_no)?;
                let quarter = num(it.next(), line_no)?;
                let amount = num(it.next(), line_no)?;
                let c = p
                    .candidates
                    .last_mut()
                    .ok_or_else(|| format!("line {line_no}: demand before cand"))?;
                c.demand.push(Demand {
                    role,
                    quarter,
                    amount,
                });
            }
            "requires" => p.dependencies.push(Dependency::Requires {
                dependent: num(it.next(), line_no)?,
                prerequisite: num(it.next(), line_no)?,
            }),
            "excludes" => p.dependencies.push(Dependency::Excludes(
                num(it.next(), line_no)?,
                num(it.next(), line_no)?,
            )),
            _ => {}
        }
    }
    Ok(p)
}
