//! A generator of MS Project XML files of any size, for import benchmarks and tests.

use std::fmt::Write as _;

/// Small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An MS Project XML file of `tasks` work tasks under a summary per 10: durations of 1–10
/// days, a finish-to-start link with a lag to the previous task, every third task an extra
/// SS/FF link with an hour lag to one of the 50 before it, a constraint on every 25th task,
/// baseline 0 everywhere and 3 resources. Deterministic. For benchmarks and tests.
pub fn generate(tasks: usize) -> String {
    let mut r = Rng(42);
    let mut x = String::with_capacity(tasks * 900);
    x.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Project xmlns=\"http://schemas.microsoft.com/project\">\n<SaveVersion>14</SaveVersion>\n\
<Name>generated</Name><StartDate>2027-01-04T08:00:00</StartDate>\n\
<CalendarUID>1</CalendarUID><MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek>\n\
<DaysPerMonth>20</DaysPerMonth><StatusDate>2027-02-01T17:00:00</StatusDate>\n\
<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID><WeekDays>\n",
    );
    for d in 1..=7 {
        if (2..=6).contains(&d) {
            let _ = writeln!(
                x,
                "<WeekDay><DayType>{d}</DayType><DayWorking>1</DayWorking><WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime><WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay>"
            );
        } else {
            let _ = writeln!(
                x,
                "<WeekDay><DayType>{d}</DayType><DayWorking>0</DayWorking></WeekDay>"
            );
        }
    }
    x.push_str("</WeekDays></Calendar></Calendars>\n<Tasks>\n");
    x.push_str("<Task><UID>0</UID><ID>0</ID><Name>generated</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary></Task>\n");
    let mut uid = 0u32;
    let mut leaves: Vec<u32> = Vec::with_capacity(tasks);
    let mut assignments = String::new();
    for i in 0..tasks {
        if i % 10 == 0 {
            uid += 1;
            let _ = writeln!(
                x,
                "<Task><UID>{uid}</UID><ID>{uid}</ID><Name>Phase {}</Name><OutlineNumber>{}</OutlineNumber><OutlineLevel>1</OutlineLevel><Summary>1</Summary></Task>",
                i / 10 + 1,
                i / 10 + 1
            );
        }
        uid += 1;
        let days = 1 + r.below(10);
        let _ = write!(
            x,
            "<Task><UID>{uid}</UID><ID>{uid}</ID><Name>Work package {} &amp; checks</Name><OutlineNumber>{}.{}</OutlineNumber><OutlineLevel>2</OutlineLevel>\
<Start>2027-01-04T08:00:00</Start><Finish>2027-01-08T17:00:00</Finish><Duration>PT{}H0M0S</Duration><DurationFormat>7</DurationFormat>\
<Milestone>0</Milestone><Summary>0</Summary><FixedCost>{}</FixedCost><PercentComplete>{}</PercentComplete>",
            i + 1,
            i / 10 + 1,
            i % 10 + 1,
            days * 8,
            r.below(5) * 10_000,
            if i < tasks / 10 { 100 } else { 0 }
        );
        if i % 25 == 24 {
            let _ = write!(
                x,
                "<ConstraintType>4</ConstraintType><ConstraintDate>2027-{:02}-{:02}T08:00:00</ConstraintDate>",
                1 + r.below(12),
                1 + r.below(28)
            );
        } else {
            x.push_str("<ConstraintType>0</ConstraintType>");
        }
        if i % 100 == 0 {
            x.push_str("<Notes>Generated note: check the scope with the sponsor.</Notes>");
        }
        if let Some(&prev) = leaves.last() {
            let _ = write!(
                x,
                "<PredecessorLink><PredecessorUID>{prev}</PredecessorUID><Type>1</Type><CrossProject>0</CrossProject><LinkLag>{}</LinkLag><LagFormat>7</LagFormat></PredecessorLink>",
                r.below(3) * 4800
            );
        }
        if i % 3 == 2 && leaves.len() > 2 {
            let back = 2 + r.below(48.min(leaves.len() as u64 - 1)) as usize;
            let pred = leaves[leaves.len() - back.min(leaves.len())];
            let kind = if r.below(2) == 0 { 3 } else { 0 };
            let _ = write!(
                x,
                "<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{kind}</Type><CrossProject>0</CrossProject><LinkLag>{}</LinkLag><LagFormat>5</LagFormat></PredecessorLink>",
                r.below(8) * 600
            );
        }
        let _ = write!(
            x,
            "<Baseline><Number>0</Number><Start>2027-01-04T08:00:00</Start><Finish>2027-01-08T17:00:00</Finish><Duration>PT{}H0M0S</Duration><Work>PT{}H0M0S</Work><Cost>{}</Cost></Baseline>",
            days * 8,
            days * 8,
            days * 48_000
        );
        x.push_str("</Task>\n");
        let _ = writeln!(
            assignments,
            "<Assignment><UID>{}</UID><TaskUID>{uid}</TaskUID><ResourceUID>{}</ResourceUID><Units>1</Units><Work>PT{}H0M0S</Work></Assignment>",
            i + 1,
            i % 3 + 1,
            days * 8
        );
        leaves.push(uid);
    }
    x.push_str("</Tasks>\n<Resources>\n");
    for (n, name) in ["Ann Analyst", "Bob Builder", "Cy Tester"]
        .iter()
        .enumerate()
    {
        let _ = writeln!(
            x,
            "<Resource><UID>{}</UID><ID>{}</ID><Name>{name}</Name><Type>1</Type><EmailAddress>{}@example.org</EmailAddress><MaxUnits>1</MaxUnits></Resource>",
            n + 1,
            n + 1,
            name.split(' ').next().unwrap_or("x").to_lowercase()
        );
    }
    x.push_str("</Resources>\n<Assignments>\n");
    x.push_str(&assignments);
    x.push_str("</Assignments>\n</Project>\n");
    x
}
