//! Earned value and baseline variance on real working calendars (the calendar module's
//! working-minute measure plugged into the pure EVM and baseline functions).

use atrium_schedule::baseline::{BaselineNumber, ProjectBaselines, TaskValues};
use atrium_schedule::calendar::Date;
use atrium_schedule::calendar::{CalendarDef, DateTime, Exception};
use atrium_schedule::evm::{self, EvmTask};

fn at(y: i64, m: u32, d: u32, h: u32, mi: u32) -> i64 {
    DateTime::from_ymd_hm(y, m, d, h, mi).expect("valid").0
}

/// Standard calendar with a holiday on Wednesday 2024-01-10.
fn calendar() -> atrium_schedule::calendar::Calendar {
    let mut def = CalendarDef::standard();
    let wed = Date::from_ymd(2024, 1, 10).expect("date");
    def.exceptions.push(Exception::holiday(wed, wed));
    def.compile()
}

#[test]
fn planned_value_follows_working_time_across_weekend_and_holiday() {
    let cal = calendar();
    let working = |_: usize, a: i64, b: i64| cal.work_between(DateTime(a), DateTime(b));
    // Five working days: Mon 8 Jan, Tue 9, (Wed 10 holiday), Thu 11, Fri 12, Mon 15.
    let task = EvmTask {
        bac: 500_000,
        baseline_start: at(2024, 1, 8, 8, 0),
        baseline_finish: at(2024, 1, 15, 17, 0),
        percent_complete: 40.0,
        actual_cost: 250_000,
        actual_start: Some(at(2024, 1, 8, 8, 0)),
        actual_finish: None,
        ..EvmTask::default()
    };
    let pv = |y, m, d, h, mi| evm::planned_value(0, &task, at(y, m, d, h, mi), &working);
    assert_eq!(pv(2024, 1, 8, 12, 0), 50_000, "half a day");
    assert_eq!(pv(2024, 1, 9, 17, 0), 200_000, "two days");
    assert_eq!(pv(2024, 1, 10, 17, 0), 200_000, "the holiday plans nothing");
    assert_eq!(pv(2024, 1, 14, 12, 0), 400_000, "nor does the weekend");
    assert_eq!(pv(2024, 1, 15, 17, 0), 500_000);

    // Status Thursday evening: 3 of 5 days planned, 40 % earned.
    let report = evm::evaluate(&[task], at(2024, 1, 11, 17, 0), working);
    let m = report.total;
    assert_eq!((m.pv, m.ev, m.ac), (300_000, 200_000, 250_000));
    assert_eq!((m.sv, m.cv), (-100_000, -50_000));
    assert_eq!(m.eac_cpi, Some(625_000));

    // Weekly S-curve (Friday evenings); EV/AC stop at the status date.
    let ends = [
        at(2024, 1, 5, 17, 0),
        at(2024, 1, 12, 17, 0),
        at(2024, 1, 19, 17, 0),
    ];
    let curve = evm::s_curve(&[task], at(2024, 1, 12, 17, 0), &ends, working);
    assert_eq!(
        curve.iter().map(|p| p.pv_cumulative).collect::<Vec<_>>(),
        vec![0, 400_000, 500_000]
    );
    assert_eq!(curve[1].ev_cumulative, Some(200_000));
    assert_eq!(curve[1].ac_cumulative, Some(250_000));
    assert_eq!(curve[2].ev, None);
}

#[test]
fn baseline_variance_in_working_days() {
    let cal = calendar();
    let plan = [TaskValues {
        start: Some(at(2024, 1, 8, 8, 0)),
        finish: Some(at(2024, 1, 9, 17, 0)),
        duration: Some(960),
        work: Some(960),
        cost: Some(96_000),
    }];
    let mut b = ProjectBaselines::new(1);
    b.save(BaselineNumber::PRIMARY, at(2024, 1, 5, 9, 0), &plan);
    // Slipped from Tuesday to Thursday (over the holiday): one working day, not two.
    let now = [TaskValues {
        start: Some(at(2024, 1, 9, 8, 0)),
        finish: Some(at(2024, 1, 11, 17, 0)),
        duration: Some(960),
        work: Some(1200),
        cost: Some(120_000),
    }];
    let v = b.variances_with(BaselineNumber::PRIMARY, &now, |_, a, c| {
        cal.work_between(DateTime(a), DateTime(c))
    })[0]
        .expect("baselined");
    assert_eq!(v.start, Some(480));
    assert_eq!(v.finish, Some(480));
    assert_eq!(
        (v.duration, v.work, v.cost),
        (Some(0), Some(240), Some(24_000))
    );
    let elapsed = b.variances(BaselineNumber::PRIMARY, &now)[0].expect("baselined");
    assert_eq!(elapsed.finish, Some(2 * 1440));
}
