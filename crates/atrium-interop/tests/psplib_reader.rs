//! PSPLIB reader tests: real `.sm` files (fixtures in `psplib_data/`), hostile input that
//! must be refused with a line number and never panic, the independent schedule checker,
//! and the `bounds.csv` / solution-table readers.

use atrium_interop::psplib::{parse_bounds_csv, parse_sm, parse_solution_table};
use atrium_schedule::rcpsp::{Instance, PriorityRule, SolveOptions};
use proptest::prelude::*;

const J301_1: &str = include_str!("psplib_data/j301_1.sm");
const J3010_1: &str = include_str!("psplib_data/j3010_1.sm");
const J1201_1: &str = include_str!("psplib_data/j1201_1.sm");

#[test]
fn reads_real_instances() {
    let a = parse_sm(J301_1).expect("j301_1");
    assert_eq!(a.jobs(), 32);
    assert_eq!(a.capacities, vec![12, 13, 4, 12]);
    assert_eq!(a.durations[1], 8);
    assert_eq!(a.demands[1], vec![4, 0, 0, 0]);
    assert_eq!(a.successors[0], vec![1, 2, 3]);
    assert!(a.successors[31].is_empty());
    assert_eq!(a.horizon, Some(158));
    assert_eq!(a.mpm_time, Some(38));
    assert_eq!(a.critical_path(), 38);

    // j3010_1 has trailing blanks on the sink line in some copies.
    let b = parse_sm(J3010_1).expect("j3010_1");
    assert_eq!(b.critical_path(), b.mpm_time.expect("mpm"));

    let c = parse_sm(J1201_1).expect("j1201_1");
    assert_eq!(c.jobs(), 122);
    assert_eq!(c.critical_path(), c.mpm_time.expect("mpm"));
}

#[test]
fn engine_schedules_pass_the_independent_checker() {
    for text in [J301_1, J3010_1, J1201_1] {
        let sm = parse_sm(text).expect("parse");
        let inst = Instance::new(&sm.to_problem());
        assert!(inst.diagnostics().is_empty());
        let lft = inst.serial_rule(PriorityRule::Lft);
        assert_eq!(sm.check(&lft.starts), Ok(u64::from(lft.makespan)));
        let ga = inst.solve(&SolveOptions {
            schedules: 300,
            seed: 9,
            islands: 1,
        });
        let mk = sm.check(&ga.schedule.starts).expect("feasible");
        assert_eq!(mk, u64::from(ga.schedule.makespan));
        assert!(mk <= u64::from(lft.makespan));
        assert!(mk >= sm.critical_path());
    }
    // j301_1: the optimum is 43 (j30opt.sm); 300 schedules find it.
    let sm = parse_sm(J301_1).expect("parse");
    let inst = Instance::new(&sm.to_problem());
    let ga = inst.solve(&SolveOptions {
        schedules: 300,
        seed: 9,
        islands: 1,
    });
    assert_eq!(ga.schedule.makespan, 43);
}

#[test]
fn checker_rejects_violations() {
    let sm = parse_sm(J301_1).expect("parse");
    let inst = Instance::new(&sm.to_problem());
    let s = inst.serial_rule(PriorityRule::Lft);
    // Wrong length.
    assert!(sm.check(&s.starts[..5]).is_err());
    // Precedence: start job 2 (index 1, successor of the source) late, and its successor
    // job 6 (index 5) at 0.
    let mut bad = s.starts.clone();
    bad[5] = 0;
    bad[1] = 3;
    let e = sm.check(&bad).expect_err("precedence");
    assert!(e.contains("before predecessor"), "{e}");
    // Capacity: everything at time 0 (ignoring precedence is caught first, so drop the links
    // by checking only resources through a copy without successors).
    let mut free = sm.clone();
    free.successors.iter_mut().for_each(|s| s.clear());
    let e = free.check(&[0; 32]).expect_err("capacity");
    assert!(e.contains("over capacity"), "{e}");
}

#[test]
fn hostile_input_is_refused_with_a_reason() {
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "missing"),
        ("garbage\n".to_string(), "missing"),
        (
            J301_1.replace(
                "jobs (incl. supersource/sink ):  32",
                "jobs (incl. supersource/sink ):  33",
            ),
            "expected 33",
        ),
        (
            J301_1.replace(
                "jobs (incl. supersource/sink ):  32",
                "jobs (incl. supersource/sink ):  999999999999",
            ),
            "too large",
        ),
        (
            J301_1.replace(
                "  2        1          3           6  11  15",
                "  2        1          3           6  11  99",
            ),
            "out of range",
        ),
        (
            J301_1.replace(
                "  2        1          3           6  11  15",
                "  2        1          4           6  11  15",
            ),
            "declares 4",
        ),
        (
            J301_1.replace(
                "  2        1          3           6  11  15",
                "  2        2          3           6  11  15",
            ),
            "single-mode",
        ),
        (
            J301_1.replace(
                "  2        1          3           6  11  15",
                "  2        1          3           6  11   2",
            ),
            "own successor",
        ),
        (
            J301_1.replace(
                "  2        1          3           6  11  15",
                "  2        1          3           6  11   1",
            ),
            "cycle",
        ),
        (
            J301_1.replace(
                "  2      1     8       4    0    0    0",
                "  2      1     8       4    0    0",
            ),
            "demands",
        ),
        (
            J301_1.replace(
                "  2      1     8       4    0    0    0",
                "  2      1     -8      4    0    0    0",
            ),
            "non-negative integer",
        ),
        (
            J301_1.replace(
                "  2      1     8       4    0    0    0",
                "  2      1     8x      4    0    0    0",
            ),
            "integer",
        ),
        (
            J301_1.replace("  12   13    4   12", "  12   13    4"),
            "capacities",
        ),
        (
            J301_1.replace("  12   13    4   12", "   3   13    4   12"),
            "demands 4 of resource 1",
        ),
        (
            J301_1.replace("RESOURCEAVAILABILITIES", "RESOURCES AVAILABLE"),
            "missing",
        ),
        (
            J301_1.replace(
                "- nonrenewable              :  0",
                "- nonrenewable              :  2",
            ),
            "not supported",
        ),
        (
            J301_1
                .split("REQUESTS/DURATIONS")
                .next()
                .unwrap_or("")
                .to_string(),
            "missing",
        ),
    ];
    for (text, why) in cases {
        // Every edit above must have changed the file.
        assert!(text != J301_1, "{why}: edit did not apply");
        let e = parse_sm(&text).expect_err(why);
        assert!(e.to_string().contains(why), "expected {why:?}, got {e}");
    }
}

#[test]
fn reads_bounds_and_solution_tables() {
    let csv = "set,instance,par,inst,jobs,resources,cp_lb,lb,ub,optimal,lb_source,ub_source\n\
               j30,j301_1,1,1,32,4,38,43,43,1,j30opt.sm,j30opt.sm\n\
               j60,j6046_1,46,1,62,4,80,,85,0,,j60hrs.sm\n";
    let rows = parse_bounds_csv(csv).expect("csv");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].instance, "j301_1");
    assert_eq!(
        (rows[0].cp_lb, rows[0].lb, rows[0].ub),
        (38, Some(43), Some(43))
    );
    assert!(rows[0].optimal && !rows[1].optimal);
    assert_eq!(rows[1].lb, None);
    assert!(parse_bounds_csv("set,instance\nj30,x\n").is_err());
    assert!(parse_bounds_csv(&csv.replace(",38,", ",x,")).is_err());

    let table = "Paramter Instance Makespan CPU-Time[sec.]\n\
                 ------------------------------------------------------------------\n\
                 1       1         43       0.30\n\
                 1       2         47       0.11\n";
    assert_eq!(
        parse_solution_table(table).expect("table"),
        vec![(1, 1, 43), (1, 2, 47)]
    );
    assert!(parse_solution_table("nothing here").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Random byte edits of a real file never panic the reader, and whatever it accepts
    /// can be scheduled and checked.
    #[test]
    fn mutated_files_never_panic(edits in prop::collection::vec((0usize..5000, any::<u8>()), 1..6)) {
        let mut bytes = J301_1.as_bytes().to_vec();
        for (pos, b) in edits {
            let i = pos % bytes.len();
            bytes[i] = if b % 3 == 0 { b' ' } else if b % 3 == 1 { b'0' + b % 10 } else { b };
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(sm) = parse_sm(&text) {
            let inst = Instance::new(&sm.to_problem());
            let s = inst.serial_rule(PriorityRule::Lft);
            prop_assert!(sm.check(&s.starts).is_ok());
        }
    }
}
