//! The MSPDI writer: the model as MS Project XML, elements in schema order.
//!
//! MS Project validates element order against its schema (`mspdi_pj12.xsd` and later), so
//! every container writes its children in that order. Only values present in the model are
//! written, with the defaults the schema requires or MS Project relies on: `SaveVersion`
//! (14, Project 2010) and `CurrencyCode` (USD) when absent, `BaseCalendarUID` -1 on base
//! calendars, the task flags `IsNull`, `Manual`, `Milestone`, `Summary`, and no `Calendars`
//! element without a calendar. Strings are cut to the schema's `maxLength` (project name
//! 255, task and resource names 512, currency code 3, symbol 20).

use std::fmt::Write as _;

use super::model::*;

/// `SaveVersion` written when the model has none: Project 2010 (14) is the oldest version
/// with manual tasks and `Active`, which the model carries.
const DEFAULT_SAVE_VERSION: u32 = 14;

/// `CurrencyCode` written when the model has none: the element is required by the schema.
const DEFAULT_CURRENCY: &str = "USD";

/// `s` cut to at most `max` characters (the schema's `maxLength` limits).
fn clip(s: Option<&str>, max: usize) -> Option<&str> {
    s.map(|s| match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    })
}

pub(super) fn write(p: &Project) -> Vec<u8> {
    let mut w = W {
        out: String::with_capacity(512 + p.tasks.len() * 600),
    };
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
    w.out
        .push_str("<Project xmlns=\"http://schemas.microsoft.com/project\">\n");
    w.num(
        "SaveVersion",
        Some(p.save_version.unwrap_or(DEFAULT_SAVE_VERSION)),
    );
    w.text("Name", clip(p.name.as_deref(), 255));
    w.text("Title", clip(p.title.as_deref(), 512));
    w.text("Company", clip(p.company.as_deref(), 512));
    w.text("Author", clip(p.author.as_deref(), 512));
    w.boolean("ScheduleFromStart", p.schedule_from_start);
    w.date("StartDate", p.start_date);
    w.date("FinishDate", p.finish_date);
    w.num("CurrencyDigits", p.currency_digits);
    w.text("CurrencySymbol", clip(p.currency_symbol.as_deref(), 20));
    // Required by the schema.
    w.text(
        "CurrencyCode",
        Some(clip(p.currency_code.as_deref(), 3).unwrap_or(DEFAULT_CURRENCY)),
    );
    w.num("CalendarUID", p.calendar_uid);
    w.time("DefaultStartTime", p.default_start_time);
    w.time("DefaultFinishTime", p.default_finish_time);
    w.num("MinutesPerDay", p.minutes_per_day);
    w.num("MinutesPerWeek", p.minutes_per_week);
    w.num("DaysPerMonth", p.days_per_month);
    w.format("DurationFormat", p.duration_format);
    w.boolean("HonorConstraints", p.honor_constraints);
    w.date("StatusDate", p.status_date);
    w.date("CurrentDate", p.current_date);

    // The schema wants at least one Calendar inside Calendars.
    if !p.calendars.is_empty() {
        w.open("Calendars");
        for c in &p.calendars {
            w.calendar(c);
        }
        w.close("Calendars");
    }
    w.open("Tasks");
    for t in &p.tasks {
        w.task(t);
    }
    w.close("Tasks");
    w.open("Resources");
    for r in &p.resources {
        w.resource(r);
    }
    w.close("Resources");
    w.open("Assignments");
    for a in &p.assignments {
        w.assignment(a);
    }
    w.close("Assignments");
    w.out.push_str("</Project>\n");
    w.out.into_bytes()
}

struct W {
    out: String,
}

impl W {
    fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn raw(&mut self, name: &str, value: std::fmt::Arguments<'_>) {
        // Writing into a String cannot fail.
        let _ = writeln!(self.out, "<{name}>{value}</{name}>");
    }

    fn num<T: std::fmt::Display>(&mut self, name: &str, v: Option<T>) {
        if let Some(v) = v {
            self.raw(name, format_args!("{v}"));
        }
    }

    fn float(&mut self, name: &str, v: Option<f64>) {
        // Display of f64 never uses an exponent and round-trips exactly.
        if let Some(v) = v.filter(|v| v.is_finite()) {
            self.raw(name, format_args!("{v}"));
        }
    }

    fn boolean(&mut self, name: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.raw(name, format_args!("{}", u8::from(v)));
        }
    }

    fn flag(&mut self, name: &str, v: bool) {
        self.boolean(name, Some(v));
    }

    fn flag_if(&mut self, name: &str, v: bool) {
        if v {
            self.boolean(name, Some(true));
        }
    }

    fn date(&mut self, name: &str, v: Option<DateTime>) {
        if let Some(v) = v {
            self.raw(name, format_args!("{v}"));
        }
    }

    fn time(&mut self, name: &str, v: Option<u16>) {
        if let Some(m) = v {
            // Midnight at the end of the day is written 00:00:00, as MS Project does.
            let m = m % 1440;
            self.raw(name, format_args!("{:02}:{:02}:00", m / 60, m % 60));
        }
    }

    fn duration(&mut self, name: &str, v: Option<i64>) {
        if let Some(m) = v {
            let sign = if m < 0 { "-" } else { "" };
            let a = m.unsigned_abs();
            self.raw(name, format_args!("{sign}PT{}H{}M0S", a / 60, a % 60));
        }
    }

    fn format(&mut self, name: &str, v: Option<DurationFormat>) {
        self.num(name, v.map(|f| f.code()));
    }

    fn text(&mut self, name: &str, v: Option<&str>) {
        let Some(s) = v else { return };
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        for c in s.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                // Escaped so that XML end-of-line normalization keeps it.
                '\r' => self.out.push_str("&#13;"),
                '\t' | '\n' => self.out.push(c),
                // Characters XML 1.0 cannot carry at all are dropped.
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
                c => self.out.push(c),
            }
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn working_times(&mut self, times: &[WorkingTime]) {
        if times.is_empty() {
            return;
        }
        self.open("WorkingTimes");
        for t in times {
            self.open("WorkingTime");
            self.time("FromTime", Some(t.from));
            self.time("ToTime", Some(t.to));
            self.close("WorkingTime");
        }
        self.close("WorkingTimes");
    }

    fn time_period(&mut self, from: DateTime, to: DateTime) {
        self.open("TimePeriod");
        self.date("FromDate", Some(from));
        self.date("ToDate", Some(to));
        self.close("TimePeriod");
    }

    fn week_days(&mut self, days: &[WeekDay]) {
        if days.is_empty() {
            return;
        }
        self.open("WeekDays");
        for d in days {
            self.open("WeekDay");
            self.num("DayType", Some(d.day_type));
            self.flag("DayWorking", d.working);
            self.working_times(&d.times);
            self.close("WeekDay");
        }
        self.close("WeekDays");
    }

    fn calendar(&mut self, c: &Calendar) {
        self.open("Calendar");
        self.num("UID", Some(c.uid));
        self.text("Name", c.name.as_deref());
        self.flag("IsBaseCalendar", c.is_base);
        self.num("BaseCalendarUID", Some(c.base_calendar_uid.unwrap_or(-1)));
        self.week_days(&c.week_days);
        if !c.exceptions.is_empty() {
            self.open("Exceptions");
            for x in &c.exceptions {
                let r = &x.recurrence;
                self.open("Exception");
                self.boolean("EnteredByOccurrences", r.entered_by_occurrences);
                self.time_period(x.from, x.to);
                self.num("Occurrences", r.occurrences);
                self.text("Name", x.name.as_deref());
                // A plain date range is MS Project's daily pattern with period 1, so a period
                // above 1 has no meaning there and is not written.
                self.num("Type", Some(r.kind.map_or(1, |k| k.code())));
                self.num("Period", r.period.filter(|p| r.kind.is_some() || *p <= 1));
                self.num("DaysOfWeek", r.days_of_week);
                self.num("MonthItem", r.month_item);
                self.num("MonthPosition", r.month_position);
                self.num("Month", r.month);
                self.num("MonthDay", r.month_day);
                self.flag("DayWorking", x.working);
                self.working_times(&x.times);
                self.close("Exception");
            }
            self.close("Exceptions");
        }
        if !c.work_weeks.is_empty() {
            self.open("WorkWeeks");
            for ww in &c.work_weeks {
                self.open("WorkWeek");
                self.time_period(ww.from, ww.to);
                self.text("Name", ww.name.as_deref());
                self.week_days(&ww.week_days);
                self.close("WorkWeek");
            }
            self.close("WorkWeeks");
        }
        self.close("Calendar");
    }

    fn task(&mut self, t: &Task) {
        self.open("Task");
        self.num("UID", Some(t.uid));
        self.num("ID", t.id);
        self.text("Name", clip(t.name.as_deref(), 512));
        self.boolean("Active", t.active);
        self.flag("Manual", t.manual);
        self.num("Type", t.task_type);
        self.flag("IsNull", t.is_null);
        self.text("WBS", t.wbs.as_deref());
        self.text("OutlineNumber", t.outline_number.as_deref());
        self.num("OutlineLevel", t.outline_level);
        self.num("Priority", t.priority);
        self.date("Start", t.start);
        self.date("Finish", t.finish);
        self.duration("Duration", t.duration);
        self.format("DurationFormat", t.duration_format);
        self.duration("Work", t.work);
        self.date("Stop", t.stop);
        self.date("Resume", t.resume);
        self.boolean("EffortDriven", t.effort_driven);
        self.boolean("Estimated", t.estimated);
        self.flag("Milestone", t.milestone);
        self.flag("Summary", t.summary);
        self.flag_if("IsSubproject", t.is_subproject);
        self.text("SubprojectName", t.subproject_name.as_deref());
        self.flag_if("ExternalTask", t.external_task);
        self.text("ExternalTaskProject", t.external_task_project.as_deref());
        self.num("FixedCost", t.fixed_cost);
        self.num("FixedCostAccrual", t.fixed_cost_accrual);
        self.num("PercentComplete", t.percent_complete);
        self.num("PercentWorkComplete", t.percent_work_complete);
        self.num("Cost", t.cost);
        self.date("ActualStart", t.actual_start);
        self.date("ActualFinish", t.actual_finish);
        self.duration("ActualDuration", t.actual_duration);
        self.num("ActualCost", t.actual_cost);
        self.duration("ActualWork", t.actual_work);
        self.duration("RemainingDuration", t.remaining_duration);
        self.num("RemainingCost", t.remaining_cost);
        self.duration("RemainingWork", t.remaining_work);
        self.num("ConstraintType", t.constraint_type.map(|c| c.code()));
        self.num("CalendarUID", t.calendar_uid);
        self.date("ConstraintDate", t.constraint_date);
        self.date("Deadline", t.deadline);
        self.boolean("IgnoreResourceCalendar", t.ignore_resource_calendar);
        self.text("Notes", t.notes.as_deref());
        self.num("PhysicalPercentComplete", t.physical_percent_complete);
        for l in &t.predecessors {
            self.open("PredecessorLink");
            self.num("PredecessorUID", Some(l.predecessor_uid));
            self.num("Type", Some(l.link_type.code()));
            self.flag("CrossProject", l.cross_project);
            self.text("CrossProjectName", l.cross_project_name.as_deref());
            self.num("LinkLag", Some(l.lag));
            // MS Project wants a LagFormat beside a non-zero lag; days is its default.
            let f = l
                .lag_format
                .or((l.lag != 0).then_some(DurationFormat::DAYS));
            self.format("LagFormat", f);
            self.close("PredecessorLink");
        }
        for b in &t.baselines {
            self.open("Baseline");
            self.num("Number", Some(b.number));
            self.date("Start", b.start);
            self.date("Finish", b.finish);
            self.duration("Duration", b.duration);
            self.format("DurationFormat", b.duration_format);
            self.duration("Work", b.work);
            self.num("Cost", b.cost);
            self.num("BCWS", b.bcws);
            self.num("BCWP", b.bcwp);
            self.num("FixedCost", b.fixed_cost);
            self.close("Baseline");
        }
        self.close("Task");
    }

    fn resource(&mut self, r: &Resource) {
        self.open("Resource");
        self.num("UID", Some(r.uid));
        self.num("ID", r.id);
        self.text("Name", clip(r.name.as_deref(), 512));
        self.num(
            "Type",
            r.resource_type.map(|t| match t {
                ResourceType::Material => 0,
                ResourceType::Work => 1,
                ResourceType::Cost => 2,
            }),
        );
        self.flag("IsNull", r.is_null);
        self.text("Initials", r.initials.as_deref());
        self.text("Group", r.group.as_deref());
        self.text("EmailAddress", r.email.as_deref());
        self.float("MaxUnits", r.max_units);
        self.duration("Work", r.work);
        self.duration("ActualWork", r.actual_work);
        self.float("StandardRate", r.standard_rate);
        self.num("StandardRateFormat", r.standard_rate_format);
        self.num("Cost", r.cost);
        self.float("OvertimeRate", r.overtime_rate);
        self.num("OvertimeRateFormat", r.overtime_rate_format);
        self.num("CostPerUse", r.cost_per_use);
        self.num("ActualCost", r.actual_cost);
        self.num("CalendarUID", r.calendar_uid);
        for b in &r.baselines {
            self.open("Baseline");
            self.num("Number", Some(b.number));
            self.duration("Work", b.work);
            self.num("Cost", b.cost);
            self.close("Baseline");
        }
        if r.resource_type == Some(ResourceType::Cost) {
            self.flag("IsCostResource", true);
        }
        self.close("Resource");
    }

    fn assignment(&mut self, a: &Assignment) {
        self.open("Assignment");
        self.num("UID", Some(a.uid));
        self.num("TaskUID", Some(a.task_uid));
        self.num("ResourceUID", Some(a.resource_uid));
        self.num("PercentWorkComplete", a.percent_work_complete);
        self.num("ActualCost", a.actual_cost);
        self.date("ActualFinish", a.actual_finish);
        self.date("ActualStart", a.actual_start);
        self.duration("ActualWork", a.actual_work);
        self.num("Cost", a.cost);
        self.date("Finish", a.finish);
        self.duration("RemainingWork", a.remaining_work);
        self.date("Start", a.start);
        self.float("Units", a.units);
        self.duration("Work", a.work);
        for b in &a.baselines {
            self.open("Baseline");
            self.num("Number", Some(b.number));
            self.date("Start", b.start);
            self.date("Finish", b.finish);
            self.duration("Work", b.work);
            self.num("Cost", b.cost);
            self.close("Baseline");
        }
        self.close("Assignment");
    }
}
