//! Every element name of the MSPDI schema (Project 2003-2016), sorted bytewise.
//!
//! Elements with these names that the reader does not model are skipped silently; any other
//! name is reported as an unknown element. The `f4040xx` assignment fields are matched by prefix.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

pub(super) static SCHEMA_NAMES: &[&str] = &[
    "ACWP",
    "AccrueAt",
    "Active",
    "ActiveDirectoryGUID",
    "ActualCost",
    "ActualDuration",
    "ActualFinish",
    "ActualOvertimeCost",
    "ActualOvertimeWork",
    "ActualOvertimeWorkProtected",
    "ActualStart",
    "ActualWork",
    "ActualWorkProtected",
    "ActualsInSync",
    "AdminProject",
    "Alias",
    "AllLevelsRequired",
    "AppendNewValues",
    "Assignment",
    "Assignments",
    "AssnOwner",
    "AssnOwnerGuid",
    "Author",
    "AutoAddNewResourcesAndTasks",
    "AutoRollDown",
    "Autolink",
    "AvailabilityPeriod",
    "AvailabilityPeriods",
    "AvailableFrom",
    "AvailableTo",
    "AvailableUnits",
    "BCWP",
    "BCWS",
    "BaseCalendarUID",
    "Baseline",
    "BaselineCalendar",
    "BaselineForEarnedValue",
    "BookingType",
    "BudgetCost",
    "BudgetWork",
    "CFType",
    "CV",
    "CalculationType",
    "Calendar",
    "CalendarUID",
    "Calendars",
    "CanLevel",
    "Category",
    "Code",
    "CommitmentFinish",
    "CommitmentStart",
    "CommitmentType",
    "Company",
    "Confirmed",
    "ConstraintDate",
    "ConstraintType",
    "Contact",
    "Cost",
    "CostCenter",
    "CostPerUse",
    "CostRateTable",
    "CostVariance",
    "CreateDate",
    "CreationDate",
    "Critical",
    "CriticalSlackLimit",
    "CrossProject",
    "CrossProjectName",
    "CurrencyCode",
    "CurrencyDigits",
    "CurrencySymbol",
    "CurrencySymbolPosition",
    "CurrentDate",
    "DayType",
    "DayWorking",
    "DaysOfWeek",
    "DaysPerMonth",
    "Deadline",
    "Default",
    "DefaultFinishTime",
    "DefaultFixedCostAccrual",
    "DefaultGuid",
    "DefaultOvertimeRate",
    "DefaultStandardRate",
    "DefaultStartTime",
    "DefaultTaskEVMethod",
    "DefaultTaskType",
    "Delay",
    "Description",
    "DisplayAsSummary",
    "Duration",
    "DurationFormat",
    "DurationText",
    "EarlyFinish",
    "EarlyStart",
    "EarnedValueMethod",
    "EditableActualCosts",
    "EffortDriven",
    "ElemType",
    "EmailAddress",
    "EnteredByOccurrences",
    "Enterprise",
    "EnterpriseOutlineCodeAlias",
    "Estimated",
    "EstimatedDuration",
    "Exception",
    "Exceptions",
    "ExtendedAttribute",
    "ExtendedAttributes",
    "ExtendedCreationDate",
    "ExternalTask",
    "ExternalTaskProject",
    "FYStartDate",
    "FieldGUID",
    "FieldID",
    "FieldName",
    "Finish",
    "FinishDate",
    "FinishSlack",
    "FinishText",
    "FinishVariance",
    "FiscalYearStart",
    "FixedCost",
    "FixedCostAccrual",
    "FixedMaterial",
    "Formula",
    "FreeSlack",
    "FromDate",
    "FromTime",
    "GUID",
    "GenerateCodes",
    "Group",
    "Guid",
    "HasFixedRateUnits",
    "HideBar",
    "HonorConstraints",
    "Hyperlink",
    "HyperlinkAddress",
    "HyperlinkSubAddress",
    "ID",
    "IgnoreResourceCalendar",
    "Initials",
    "InsertedProjectsLikeSummary",
    "Interim",
    "IsBaseCalendar",
    "IsBaselineCalendar",
    "IsBudget",
    "IsCollapsed",
    "IsCostResource",
    "IsEnterprise",
    "IsGeneric",
    "IsInactive",
    "IsNull",
    "IsPublished",
    "IsSubproject",
    "IsSubprojectReadOnly",
    "KeepTaskOnNearestWorkingTimeWhenMadeAutoScheduled",
    "LagFormat",
    "LastSaved",
    "LateFinish",
    "LateStart",
    "LeafOnly",
    "Length",
    "Level",
    "LevelAssignments",
    "LevelingCanSplit",
    "LevelingDelay",
    "LevelingDelayFormat",
    "LinkLag",
    "LinkedFields",
    "Ltuid",
    "Manager",
    "Manual",
    "ManualDuration",
    "ManualFinish",
    "ManualStart",
    "Mask",
    "Masks",
    "MaterialLabel",
    "MaxMultiValues",
    "MaxUnits",
    "MicrosoftProjectServerURL",
    "Milestone",
    "MinutesPerDay",
    "MinutesPerWeek",
    "Month",
    "MonthDay",
    "MonthItem",
    "MonthPosition",
    "MoveCompletedEndsBack",
    "MoveCompletedEndsForward",
    "MoveRemainingStartsBack",
    "MoveRemainingStartsForward",
    "MultipleCriticalPaths",
    "NTAccount",
    "Name",
    "NewTaskStartDate",
    "NewTasksAreManual",
    "NewTasksEffortDriven",
    "NewTasksEstimated",
    "Notes",
    "Number",
    "Occurrences",
    "OnlyTableValuesAllowed",
    "OutlineCode",
    "OutlineCodes",
    "OutlineLevel",
    "OutlineNumber",
    "OverAllocated",
    "Overallocated",
    "OvertimeCost",
    "OvertimeRate",
    "OvertimeRateFormat",
    "OvertimeWork",
    "ParentValueID",
    "PeakUnits",
    "PercentComplete",
    "PercentWorkComplete",
    "Period",
    "Phonetic",
    "PhoneticAlias",
    "Phonetics",
    "PhysicalPercentComplete",
    "PreLeveledFinish",
    "PreLeveledStart",
    "PredecessorLink",
    "PredecessorUID",
    "Prefix",
    "Priority",
    "Project",
    "ProjectExternallyEdited",
    "Rate",
    "RateScale",
    "RateTable",
    "Rates",
    "RatesFrom",
    "RatesTo",
    "Recurring",
    "RegularWork",
    "RemainingCost",
    "RemainingDuration",
    "RemainingOvertimeCost",
    "RemainingOvertimeWork",
    "RemainingWork",
    "RemoveFileProperties",
    "Resource",
    "ResourceSubstitutionEnabled",
    "ResourceUID",
    "Resources",
    "ResponsePending",
    "RestrictValues",
    "Resume",
    "ResumeValid",
    "Revision",
    "Rollup",
    "RollupType",
    "SV",
    "SaveVersion",
    "ScheduleFromStart",
    "SecondaryGuid",
    "SecondaryPID",
    "Separator",
    "ShowIndent",
    "SplitsInProgressTasks",
    "SpreadActualCost",
    "SpreadPercentComplete",
    "StandardRate",
    "StandardRateFormat",
    "Start",
    "StartDate",
    "StartSlack",
    "StartText",
    "StartVariance",
    "StatusDate",
    "StatusManager",
    "Stop",
    "Subject",
    "SubprojectName",
    "Summary",
    "Task",
    "TaskUID",
    "TaskUpdatesResource",
    "Tasks",
    "TimePeriod",
    "TimephasedData",
    "Title",
    "ToDate",
    "ToTime",
    "TotalSlack",
    "Type",
    "UID",
    "Unit",
    "Units",
    "UpdateManuallyScheduledTasksWhenEditingLinks",
    "UpdateNeeded",
    "UserDef",
    "VAC",
    "Value",
    "ValueGUID",
    "ValueID",
    "ValueList",
    "ValuelistSortOrder",
    "Values",
    "VerifyUniqueCodes",
    "WBS",
    "WBSLevel",
    "WBSMask",
    "WBSMasks",
    "WeekDay",
    "WeekDays",
    "WeekStartDay",
    "Work",
    "WorkContour",
    "WorkFormat",
    "WorkGroup",
    "WorkVariance",
    "WorkWeek",
    "WorkWeeks",
    "WorkingTime",
    "WorkingTimes",
];

/// Index constants into [`SCHEMA_NAMES`], so the reader matches names as integers.
#[allow(non_upper_case_globals, dead_code)]
pub(super) mod k {
    pub const ACWP: u16 = 0;
    pub const AccrueAt: u16 = 1;
    pub const Active: u16 = 2;
    pub const ActiveDirectoryGUID: u16 = 3;
    pub const ActualCost: u16 = 4;
    pub const ActualDuration: u16 = 5;
    pub const ActualFinish: u16 = 6;
    pub const ActualOvertimeCost: u16 = 7;
    pub const ActualOvertimeWork: u16 = 8;
    pub const ActualOvertimeWorkProtected: u16 = 9;
    pub const ActualStart: u16 = 10;
    pub const ActualWork: u16 = 11;
    pub const ActualWorkProtected: u16 = 12;
    pub const ActualsInSync: u16 = 13;
    pub const AdminProject: u16 = 14;
    pub const Alias: u16 = 15;
    pub const AllLevelsRequired: u16 = 16;
    pub const AppendNewValues: u16 = 17;
    pub const Assignment: u16 = 18;
    pub const Assignments: u16 = 19;
    pub const AssnOwner: u16 = 20;
    pub const AssnOwnerGuid: u16 = 21;
    pub const Author: u16 = 22;
    pub const AutoAddNewResourcesAndTasks: u16 = 23;
    pub const AutoRollDown: u16 = 24;
    pub const Autolink: u16 = 25;
    pub const AvailabilityPeriod: u16 = 26;
    pub const AvailabilityPeriods: u16 = 27;
    pub const AvailableFrom: u16 = 28;
    pub const AvailableTo: u16 = 29;
    pub const AvailableUnits: u16 = 30;
    pub const BCWP: u16 = 31;
    pub const BCWS: u16 = 32;
    pub const BaseCalendarUID: u16 = 33;
    pub const Baseline: u16 = 34;
    pub const BaselineCalendar: u16 = 35;
    pub const BaselineForEarnedValue: u16 = 36;
    pub const BookingType: u16 = 37;
    pub const BudgetCost: u16 = 38;
    pub const BudgetWork: u16 = 39;
    pub const CFType: u16 = 40;
    pub const CV: u16 = 41;
    pub const CalculationType: u16 = 42;
    pub const Calendar: u16 = 43;
    pub const CalendarUID: u16 = 44;
    pub const Calendars: u16 = 45;
    pub const CanLevel: u16 = 46;
    pub const Category: u16 = 47;
    pub const Code: u16 = 48;
    pub const CommitmentFinish: u16 = 49;
    pub const CommitmentStart: u16 = 50;
    pub const CommitmentType: u16 = 51;
    pub const Company: u16 = 52;
    pub const Confirmed: u16 = 53;
    pub const ConstraintDate: u16 = 54;
    pub const ConstraintType: u16 = 55;
    pub const Contact: u16 = 56;
    pub const Cost: u16 = 57;
    pub const CostCenter: u16 = 58;
    pub const CostPerUse: u16 = 59;
    pub const CostRateTable: u16 = 60;
    pub const CostVariance: u16 = 61;
    pub const CreateDate: u16 = 62;
    pub const CreationDate: u16 = 63;
    pub const Critical: u16 = 64;
    pub const CriticalSlackLimit: u16 = 65;
    pub const CrossProject: u16 = 66;
    pub const CrossProjectName: u16 = 67;
    pub const CurrencyCode: u16 = 68;
    pub const CurrencyDigits: u16 = 69;
    pub const CurrencySymbol: u16 = 70;
    pub const CurrencySymbolPosition: u16 = 71;
    pub const CurrentDate: u16 = 72;
    pub const DayType: u16 = 73;
    pub const DayWorking: u16 = 74;
    pub const DaysOfWeek: u16 = 75;
    pub const DaysPerMonth: u16 = 76;
    pub const Deadline: u16 = 77;
    pub const Default: u16 = 78;
    pub const DefaultFinishTime: u16 = 79;
    pub const DefaultFixedCostAccrual: u16 = 80;
    pub const DefaultGuid: u16 = 81;
    pub const DefaultOvertimeRate: u16 = 82;
    pub const DefaultStandardRate: u16 = 83;
    pub const DefaultStartTime: u16 = 84;
    pub const DefaultTaskEVMethod: u16 = 85;
    pub const DefaultTaskType: u16 = 86;
    pub const Delay: u16 = 87;
    pub const Description: u16 = 88;
    pub const DisplayAsSummary: u16 = 89;
    pub const Duration: u16 = 90;
    pub const DurationFormat: u16 = 91;
    pub const DurationText: u16 = 92;
    pub const EarlyFinish: u16 = 93;
    pub const EarlyStart: u16 = 94;
    pub const EarnedValueMethod: u16 = 95;
    pub const EditableActualCosts: u16 = 96;
    pub const EffortDriven: u16 = 97;
    pub const ElemType: u16 = 98;
    pub const EmailAddress: u16 = 99;
    pub const EnteredByOccurrences: u16 = 100;
    pub const Enterprise: u16 = 101;
    pub const EnterpriseOutlineCodeAlias: u16 = 102;
    pub const Estimated: u16 = 103;
    pub const EstimatedDuration: u16 = 104;
    pub const Exception: u16 = 105;
    pub const Exceptions: u16 = 106;
    pub const ExtendedAttribute: u16 = 107;
    pub const ExtendedAttributes: u16 = 108;
    pub const ExtendedCreationDate: u16 = 109;
    pub const ExternalTask: u16 = 110;
    pub const ExternalTaskProject: u16 = 111;
    pub const FYStartDate: u16 = 112;
    pub const FieldGUID: u16 = 113;
    pub const FieldID: u16 = 114;
    pub const FieldName: u16 = 115;
    pub const Finish: u16 = 116;
    pub const FinishDate: u16 = 117;
    pub const FinishSlack: u16 = 118;
    pub const FinishText: u16 = 119;
    pub const FinishVariance: u16 = 120;
    pub const FiscalYearStart: u16 = 121;
    pub const FixedCost: u16 = 122;
    pub const FixedCostAccrual: u16 = 123;
    pub const FixedMaterial: u16 = 124;
    pub const Formula: u16 = 125;
    pub const FreeSlack: u16 = 126;
    pub const FromDate: u16 = 127;
    pub const FromTime: u16 = 128;
    pub const GUID: u16 = 129;
    pub const GenerateCodes: u16 = 130;
    pub const Group: u16 = 131;
    pub const Guid: u16 = 132;
    pub const HasFixedRateUnits: u16 = 133;
    pub const HideBar: u16 = 134;
    pub const HonorConstraints: u16 = 135;
    pub const Hyperlink: u16 = 136;
    pub const HyperlinkAddress: u16 = 137;
    pub const HyperlinkSubAddress: u16 = 138;
    pub const ID: u16 = 139;
    pub const IgnoreResourceCalendar: u16 = 140;
    pub const Initials: u16 = 141;
    pub const InsertedProjectsLikeSummary: u16 = 142;
    pub const Interim: u16 = 143;
    pub const IsBaseCalendar: u16 = 144;
    pub const IsBaselineCalendar: u16 = 145;
    pub const IsBudget: u16 = 146;
    pub const IsCollapsed: u16 = 147;
    pub const IsCostResource: u16 = 148;
    pub const IsEnterprise: u16 = 149;
    pub const IsGeneric: u16 = 150;
    pub const IsInactive: u16 = 151;
    pub const IsNull: u16 = 152;
    pub const IsPublished: u16 = 153;
    pub const IsSubproject: u16 = 154;
    pub const IsSubprojectReadOnly: u16 = 155;
    pub const KeepTaskOnNearestWorkingTimeWhenMadeAutoScheduled: u16 = 156;
    pub const LagFormat: u16 = 157;
    pub const LastSaved: u16 = 158;
    pub const LateFinish: u16 = 159;
    pub const LateStart: u16 = 160;
    pub const LeafOnly: u16 = 161;
    pub const Length: u16 = 162;
    pub const Level: u16 = 163;
    pub const LevelAssignments: u16 = 164;
    pub const LevelingCanSplit: u16 = 165;
    pub const LevelingDelay: u16 = 166;
    pub const LevelingDelayFormat: u16 = 167;
    pub const LinkLag: u16 = 168;
    pub const LinkedFields: u16 = 169;
    pub const Ltuid: u16 = 170;
    pub const Manager: u16 = 171;
    pub const Manual: u16 = 172;
    pub const ManualDuration: u16 = 173;
    pub const ManualFinish: u16 = 174;
    pub const ManualStart: u16 = 175;
    pub const Mask: u16 = 176;
    pub const Masks: u16 = 177;
    pub const MaterialLabel: u16 = 178;
    pub const MaxMultiValues: u16 = 179;
    pub const MaxUnits: u16 = 180;
    pub const MicrosoftProjectServerURL: u16 = 181;
    pub const Milestone: u16 = 182;
    pub const MinutesPerDay: u16 = 183;
    pub const MinutesPerWeek: u16 = 184;
    pub const Month: u16 = 185;
    pub const MonthDay: u16 = 186;
    pub const MonthItem: u16 = 187;
    pub const MonthPosition: u16 = 188;
    pub const MoveCompletedEndsBack: u16 = 189;
    pub const MoveCompletedEndsForward: u16 = 190;
    pub const MoveRemainingStartsBack: u16 = 191;
    pub const MoveRemainingStartsForward: u16 = 192;
    pub const MultipleCriticalPaths: u16 = 193;
    pub const NTAccount: u16 = 194;
    pub const Name: u16 = 195;
    pub const NewTaskStartDate: u16 = 196;
    pub const NewTasksAreManual: u16 = 197;
    pub const NewTasksEffortDriven: u16 = 198;
    pub const NewTasksEstimated: u16 = 199;
    pub const Notes: u16 = 200;
    pub const Number: u16 = 201;
    pub const Occurrences: u16 = 202;
    pub const OnlyTableValuesAllowed: u16 = 203;
    pub const OutlineCode: u16 = 204;
    pub const OutlineCodes: u16 = 205;
    pub const OutlineLevel: u16 = 206;
    pub const OutlineNumber: u16 = 207;
    pub const OverAllocated: u16 = 208;
    pub const Overallocated: u16 = 209;
    pub const OvertimeCost: u16 = 210;
    pub const OvertimeRate: u16 = 211;
    pub const OvertimeRateFormat: u16 = 212;
    pub const OvertimeWork: u16 = 213;
    pub const ParentValueID: u16 = 214;
    pub const PeakUnits: u16 = 215;
    pub const PercentComplete: u16 = 216;
    pub const PercentWorkComplete: u16 = 217;
    pub const Period: u16 = 218;
    pub const Phonetic: u16 = 219;
    pub const PhoneticAlias: u16 = 220;
    pub const Phonetics: u16 = 221;
    pub const PhysicalPercentComplete: u16 = 222;
    pub const PreLeveledFinish: u16 = 223;
    pub const PreLeveledStart: u16 = 224;
    pub const PredecessorLink: u16 = 225;
    pub const PredecessorUID: u16 = 226;
    pub const Prefix: u16 = 227;
    pub const Priority: u16 = 228;
    pub const Project: u16 = 229;
    pub const ProjectExternallyEdited: u16 = 230;
    pub const Rate: u16 = 231;
    pub const RateScale: u16 = 232;
    pub const RateTable: u16 = 233;
    pub const Rates: u16 = 234;
    pub const RatesFrom: u16 = 235;
    pub const RatesTo: u16 = 236;
    pub const Recurring: u16 = 237;
    pub const RegularWork: u16 = 238;
    pub const RemainingCost: u16 = 239;
    pub const RemainingDuration: u16 = 240;
    pub const RemainingOvertimeCost: u16 = 241;
    pub const RemainingOvertimeWork: u16 = 242;
    pub const RemainingWork: u16 = 243;
    pub const RemoveFileProperties: u16 = 244;
    pub const Resource: u16 = 245;
    pub const ResourceSubstitutionEnabled: u16 = 246;
    pub const ResourceUID: u16 = 247;
    pub const Resources: u16 = 248;
    pub const ResponsePending: u16 = 249;
    pub const RestrictValues: u16 = 250;
    pub const Resume: u16 = 251;
    pub const ResumeValid: u16 = 252;
    pub const Revision: u16 = 253;
    pub const Rollup: u16 = 254;
    pub const RollupType: u16 = 255;
    pub const SV: u16 = 256;
    pub const SaveVersion: u16 = 257;
    pub const ScheduleFromStart: u16 = 258;
    pub const SecondaryGuid: u16 = 259;
    pub const SecondaryPID: u16 = 260;
    pub const Separator: u16 = 261;
    pub const ShowIndent: u16 = 262;
    pub const SplitsInProgressTasks: u16 = 263;
    pub const SpreadActualCost: u16 = 264;
    pub const SpreadPercentComplete: u16 = 265;
    pub const StandardRate: u16 = 266;
    pub const StandardRateFormat: u16 = 267;
    pub const Start: u16 = 268;
    pub const StartDate: u16 = 269;
    pub const StartSlack: u16 = 270;
    pub const StartText: u16 = 271;
    pub const StartVariance: u16 = 272;
    pub const StatusDate: u16 = 273;
    pub const StatusManager: u16 = 274;
    pub const Stop: u16 = 275;
    pub const Subject: u16 = 276;
    pub const SubprojectName: u16 = 277;
    pub const Summary: u16 = 278;
    pub const Task: u16 = 279;
    pub const TaskUID: u16 = 280;
    pub const TaskUpdatesResource: u16 = 281;
    pub const Tasks: u16 = 282;
    pub const TimePeriod: u16 = 283;
    pub const TimephasedData: u16 = 284;
    pub const Title: u16 = 285;
    pub const ToDate: u16 = 286;
    pub const ToTime: u16 = 287;
    pub const TotalSlack: u16 = 288;
    pub const Type: u16 = 289;
    pub const UID: u16 = 290;
    pub const Unit: u16 = 291;
    pub const Units: u16 = 292;
    pub const UpdateManuallyScheduledTasksWhenEditingLinks: u16 = 293;
    pub const UpdateNeeded: u16 = 294;
    pub const UserDef: u16 = 295;
    pub const VAC: u16 = 296;
    pub const Value: u16 = 297;
    pub const ValueGUID: u16 = 298;
    pub const ValueID: u16 = 299;
    pub const ValueList: u16 = 300;
    pub const ValuelistSortOrder: u16 = 301;
    pub const Values: u16 = 302;
    pub const VerifyUniqueCodes: u16 = 303;
    pub const WBS: u16 = 304;
    pub const WBSLevel: u16 = 305;
    pub const WBSMask: u16 = 306;
    pub const WBSMasks: u16 = 307;
    pub const WeekDay: u16 = 308;
    pub const WeekDays: u16 = 309;
    pub const WeekStartDay: u16 = 310;
    pub const Work: u16 = 311;
    pub const WorkContour: u16 = 312;
    pub const WorkFormat: u16 = 313;
    pub const WorkGroup: u16 = 314;
    pub const WorkVariance: u16 = 315;
    pub const WorkWeek: u16 = 316;
    pub const WorkWeeks: u16 = 317;
    pub const WorkingTime: u16 = 318;
    pub const WorkingTimes: u16 = 319;
}

/// The name of a schema index.
pub(super) fn name_of(i: u16) -> &'static str {
    SCHEMA_NAMES.get(usize::from(i)).copied().unwrap_or("?")
}

/// FNV-1a: names are short and trusted to be bounded (the reader caps them), so a simple
/// fast hash beats SipHash here.
#[derive(Default)]
pub(super) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type NameMap = HashMap<&'static [u8], u16, BuildHasherDefault<Fnv>>;

/// A direct-mapped table in front of the hash map: element names are looked up once per
/// element, so this is the reader's hottest path. A slot keeps the first name that maps to it;
/// other names fall through to the map.
struct Lookup {
    slots: Vec<Option<u16>>,
    map: NameMap,
}

const SLOTS: usize = 2048;

fn slot(name: &[u8]) -> usize {
    let n = name.len();
    let (a, b, c) = match n {
        0 => (0, 0, 0),
        _ => (name[0], name[n - 1], name[n / 2]),
    };
    (n.wrapping_mul(131)
        ^ usize::from(a).wrapping_mul(31)
        ^ usize::from(b).wrapping_mul(7)
        ^ usize::from(c).wrapping_mul(1031))
        % SLOTS
}

/// The index in [`SCHEMA_NAMES`] of the name equal to `name`.
pub(super) fn lookup(name: &[u8]) -> Option<u16> {
    static TABLE: OnceLock<Lookup> = OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut slots = vec![None; SLOTS];
        for (i, n) in SCHEMA_NAMES.iter().enumerate() {
            let s = &mut slots[slot(n.as_bytes())];
            if s.is_none() {
                *s = Some(i as u16);
            }
        }
        Lookup {
            slots,
            map: SCHEMA_NAMES
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_bytes(), i as u16))
                .collect(),
        }
    });
    match t.slots[slot(name)] {
        Some(i) if name_of(i).as_bytes() == name => Some(i),
        _ => t.map.get(name).copied(),
    }
}

/// True when `name` is an element of the MSPDI schema.
pub(super) fn is_schema_name(name: &[u8]) -> bool {
    if name.len() == 7 && (name.starts_with(b"f4040") || name.starts_with(b"F4040")) {
        return name[5..].iter().all(u8::is_ascii_hexdigit);
    }
    SCHEMA_NAMES
        .binary_search_by(|n| n.as_bytes().cmp(name))
        .is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_unique_sorted_and_found() {
        assert!(
            super::SCHEMA_NAMES
                .windows(2)
                .all(|w| w[0].as_bytes() < w[1].as_bytes())
        );
        assert!(super::is_schema_name(b"EarlyStart"));
        assert_eq!(
            super::lookup(b"PredecessorLink"),
            Some(super::k::PredecessorLink)
        );
        assert_eq!(super::name_of(super::k::PredecessorLink), "PredecessorLink");
        assert_eq!(super::lookup(b"predecessorlink"), None);
        assert!(
            super::SCHEMA_NAMES
                .iter()
                .enumerate()
                .all(|(i, n)| super::lookup(n.as_bytes()) == Some(i as u16))
        );
        assert!(super::is_schema_name(b"f40401A"));
        assert!(!super::is_schema_name(b"Bogus"));
    }
}
