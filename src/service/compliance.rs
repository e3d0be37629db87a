//! Compliance (实习合规): the county's settings of the internship rules (one
//! record that every role but a participant reads and an admin replaces),
//! and the rules' findings on a day. Each rule is one set-based query over
//! the caller's scope (`Writer::rule`); a page walks the rules in their
//! fixed order, a summary counts each rule's query; no placement is judged
//! one by one in Rust.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use futures_util::{stream, StreamExt, TryStreamExt};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, IntoActiveModel, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::sql::Binds;
use super::{audit, check_precondition, now, Database, Precondition};
use crate::auth::policy::{self, Access, ComplianceScope, COMPLIANCE_SETTINGS};
use crate::auth::Principal;
use crate::domain::clock;
use crate::domain::compliance::{
    adult_born_by, days_before, journal_weeks, rules_in_order, student_kinds, Subject, ACTIVE, JUDGED_AT_ALL,
    MAX_STUDENT_WEEK_HOURS,
};
use crate::domain::cursor::Cursor;
use crate::domain::placement::age_on;
use crate::domain::vocab::{Action, ApprenticeshipKind, ApprenticeshipStatus, ComplianceRule, ResourceType, Severity};
use crate::entity::compliance_setting;
use crate::error::ApiError;
use crate::model::check::{decode, parse_body};
use crate::model::compliance::{
    ComplianceQuery, ComplianceSettings, ComplianceSettingsValues, ComplianceSummary, Finding, FindingFilters,
    FindingOrder,
};
use crate::model::field::Date;
use crate::model::list::{bad_cursor, ListRequest, PageOf, PageQuery, Sort, SortValue};

/// The settings as they are stored.
fn settings_of(row: &compliance_setting::Model) -> ComplianceSettings {
    ComplianceSettings {
        values: ComplianceSettingsValues {
            intern_share_enterprise_pct: row.intern_share_enterprise_pct,
            intern_share_post_pct: row.intern_share_post_pct,
            pay_floor_pct: row.pay_floor_pct,
            minimum_monthly_fen: row.minimum_monthly_fen,
            visit_interval_days: row.visit_interval_days,
        },
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The one row (made by its migration), locked until the transaction ends when `lock`.
async fn settings_row(db: &impl ConnectionTrait, lock: bool) -> Result<compliance_setting::Model, ApiError> {
    let mut find = compliance_setting::Entity::find();
    if lock {
        find = find.lock_exclusive();
    }
    find.one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the compliance settings row is missing")))
}

/// The settings the rules apply now.
pub(crate) async fn current(db: &impl ConnectionTrait) -> Result<ComplianceSettings, ApiError> {
    Ok(settings_of(&settings_row(db, false).await?))
}

/// `GET /compliance/settings`: every role reads them.
pub async fn settings(db: &Database, caller: &Principal) -> Result<ComplianceSettings, ApiError> {
    COMPLIANCE_SETTINGS.scope(caller, Access::Read)?;
    current(db.read()).await
}

/// `PUT /compliance/settings` (admin): every value checked at once (422
/// naming each), then `If-Match` (412); an unchanged body changes nothing
/// (the same `version`); a change is audited (and the feed records it) in
/// its transaction.
pub async fn replace_settings(
    db: &Database,
    caller: &Principal,
    precondition: Option<Precondition>,
    body: &[u8],
) -> Result<ComplianceSettings, ApiError> {
    COMPLIANCE_SETTINGS.scope(caller, Access::Update)?;
    let values = decode::<ComplianceSettingsValues>(&parse_body(body)?)?;
    let txn = db.begin().await?;
    let row = settings_row(&txn, true).await?;
    let before = settings_of(&row);
    check_precondition(precondition.as_ref(), before.version)?;
    if values == before.values {
        return Ok(before);
    }
    let after = ComplianceSettings {
        values,
        version: before.version + 1,
        updated_at: now(),
        ..before.clone()
    };
    let id = row.id;
    let mut active = row.into_active_model();
    active.intern_share_enterprise_pct = Set(after.values.intern_share_enterprise_pct);
    active.intern_share_post_pct = Set(after.values.intern_share_post_pct);
    active.pay_floor_pct = Set(after.values.pay_floor_pct);
    active.minimum_monthly_fen = Set(after.values.minimum_monthly_fen);
    active.visit_interval_days = Set(after.values.visit_interval_days);
    active.version = Set(after.version);
    active.updated_at = Set(after.updated_at);
    active.update(&txn).await?;
    audit::record_change(
        &txn,
        &caller.actor(),
        Action::Update,
        ResourceType::ComplianceSettings,
        id,
        Some(&before.values),
        Some(&after.values),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// What the rules are judged over: the day, the settings in force and the
/// caller's scope.
struct Judging {
    on: NaiveDate,
    settings: ComplianceSettingsValues,
    scope: ComplianceScope,
}

/// One row a rule's query answers: the columns every rule gives (`NULL`
/// where a column is not the rule's), and up to two numbers and two dates
/// of facts.
#[derive(Debug, FromQueryResult)]
struct Found {
    enterprise_id: Uuid,
    school_id: Option<Uuid>,
    apprenticeship_id: Option<Uuid>,
    post: Option<String>,
    post_key: Option<String>,
    incident_id: Option<Uuid>,
    week_of: Option<NaiveDate>,
    label: Option<String>,
    n1: Option<i64>,
    n2: Option<i64>,
    d1: Option<NaiveDate>,
    d2: Option<NaiveDate>,
}

/// A rule's select list: each column's expression (a typed `NULL` where
/// the rule has none).
struct Columns {
    enterprise_id: &'static str,
    school_id: &'static str,
    apprenticeship_id: &'static str,
    post: &'static str,
    post_key: &'static str,
    incident_id: &'static str,
    week_of: &'static str,
    label: &'static str,
    n1: &'static str,
    n2: &'static str,
    d1: String,
    d2: &'static str,
}

impl Columns {
    /// A placement's columns: its enterprise, school and id.
    fn placement() -> Self {
        Columns {
            enterprise_id: "a.enterprise_id",
            school_id: "a.school_id",
            apprenticeship_id: "a.id",
            post: "CAST(NULL AS text)",
            post_key: "CAST(NULL AS text)",
            incident_id: "CAST(NULL AS uuid)",
            week_of: "CAST(NULL AS date)",
            label: "CAST(NULL AS text)",
            n1: "CAST(NULL AS bigint)",
            n2: "CAST(NULL AS bigint)",
            d1: "CAST(NULL AS date)".to_string(),
            d2: "CAST(NULL AS date)",
        }
    }

    /// An enterprise's columns: the enterprise, nothing else.
    fn enterprise() -> Self {
        Columns {
            school_id: "CAST(NULL AS uuid)",
            apprenticeship_id: "CAST(NULL AS uuid)",
            ..Columns::placement()
        }
    }

    fn select(&self) -> String {
        format!(
            "SELECT {} AS enterprise_id, {} AS school_id, {} AS apprenticeship_id, {} AS post, \
             {} AS post_key, {} AS incident_id, {} AS week_of, {} AS label, {} AS n1, {} AS n2, \
             {} AS d1, {} AS d2",
            self.enterprise_id,
            self.school_id,
            self.apprenticeship_id,
            self.post,
            self.post_key,
            self.incident_id,
            self.week_of,
            self.label,
            self.n1,
            self.n2,
            self.d1,
            self.d2
        )
    }
}

/// `kind IN (…)` of the student kinds, for placements `a`.
fn students(a: &str) -> String {
    let kinds: Vec<String> = student_kinds().iter().map(|k| format!("'{}'", k.as_str())).collect();
    format!("{a}.kind IN ({})", kinds.join(", "))
}

/// `'active', 'suspended'`: statuses as SQL literals.
fn status_list(statuses: &[ApprenticeshipStatus]) -> String {
    let quoted: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
    quoted.join(", ")
}

/// `kind` is `student_internship`, for placements `a`.
fn internships(a: &str) -> String {
    format!("{a}.kind = '{}'", ApprenticeshipKind::StudentInternship.as_str())
}

/// Writes one rule's query, binding its values in the order they stand.
struct Writer<'j> {
    binds: Binds,
    judging: &'j Judging,
}

impl Writer<'_> {
    fn bind(&mut self, value: impl Into<sea_orm::Value>) -> String {
        self.binds.bind(value)
    }

    fn on(&mut self) -> String {
        let on = self.judging.on;
        self.bind(on)
    }

    /// Placements `a` judged on `on`: in one of `statuses` and within their dates.
    fn judged(&mut self, a: &str, statuses: &[ApprenticeshipStatus]) -> String {
        let (from, to) = (self.on(), self.on());
        format!(
            "{a}.status IN ({}) AND {a}.start_date <= {from} AND ({a}.end_date IS NULL OR {a}.end_date >= {to})",
            status_list(statuses)
        )
    }

    /// The caller's scope over placements `a`.
    fn placements_in_scope(&mut self, a: &str) -> String {
        let scope = self.judging.scope;
        let mut conditions = vec![if scope.nothing { "1 = 0" } else { "1 = 1" }.to_string()];
        if let Some(school) = scope.school {
            conditions.push(format!("{a}.school_id = {}", self.bind(school)));
        }
        if let Some(enterprise) = scope.enterprise {
            conditions.push(format!("{a}.enterprise_id = {}", self.bind(enterprise)));
        }
        conditions.join(" AND ")
    }

    /// The caller's scope over the enterprise `column` names: a school's are
    /// those hosting its students judged active on `on`.
    fn enterprises_in_scope(&mut self, column: &str) -> String {
        let scope = self.judging.scope;
        let mut conditions = vec![if scope.nothing { "1 = 0" } else { "1 = 1" }.to_string()];
        if let Some(school) = scope.school {
            let school = self.bind(school);
            let judged = self.judged("s", ACTIVE);
            conditions.push(format!(
                "{column} IN (SELECT s.enterprise_id FROM apprenticeships s WHERE s.school_id = {school} AND {judged} AND {})",
                students("s")
            ));
        }
        if let Some(enterprise) = scope.enterprise {
            conditions.push(format!("{column} = {}", self.bind(enterprise)));
        }
        conditions.join(" AND ")
    }

    /// The day number of a date expression: days since Monday 1899-01-02, so
    /// that a Monday's is a multiple of 7.
    fn day_number(&self, date: &str) -> String {
        match self.binds.backend() {
            DatabaseBackend::Postgres => format!("({date} - DATE '1899-01-02')"),
            _ => format!("CAST(julianday({date}) - julianday('1899-01-02') AS INTEGER)"),
        }
    }

    /// The select list of a rule about one placement `a`.
    fn placement_columns(&mut self, rule: ComplianceRule) -> String {
        use ComplianceRule::*;
        let columns = match rule {
            FirstYearStudent => Columns {
                d1: "a.enrolled_on".into(),
                d2: "a.start_date",
                ..Columns::placement()
            },
            MinorHazardousWork => Columns {
                d1: "a.birth_date".into(),
                ..Columns::placement()
            },
            PayBelowFloor => Columns {
                post: "p.name",
                post_key: "p.name_key",
                n1: "COALESCE(a.monthly_stipend_fen, 0)",
                n2: "p.probation_monthly_fen",
                ..Columns::placement()
            },
            InsuranceExpired => Columns {
                d1: "a.insurance_expires_on".into(),
                ..Columns::placement()
            },
            PastEndDate => Columns {
                label: "a.status",
                d1: "a.end_date".into(),
                ..Columns::placement()
            },
            NoRecentVisit => Columns {
                d1: format!(
                    "(SELECT MAX(v.visited_on) FROM visits v WHERE v.apprenticeship_id = a.id AND v.visited_on <= {})",
                    self.on()
                ),
                d2: "a.start_date",
                ..Columns::placement()
            },
            JournalMissing => Columns {
                d1: "a.start_date".into(),
                d2: "a.end_date",
                ..Columns::placement()
            },
            _ => Columns::placement(),
        };
        columns.select()
    }

    /// The condition of a rule judged on the day about one placement `a`,
    /// beyond its being judged (in `ComplianceRule::judged_statuses` and within its
    /// dates); `None` for the other rules.
    fn judged_condition(&mut self, rule: ComplianceRule) -> Option<String> {
        use ComplianceRule::*;
        let settings = self.judging.settings.clone();
        Some(match rule {
            FirstYearStudent => format!(
                "{} AND a.first_year_until IS NOT NULL AND a.start_date < a.first_year_until",
                internships("a")
            ),
            MinorHazardousWork => {
                let born_by = self.bind(adult_born_by(self.judging.on));
                format!("a.hazardous = TRUE AND a.birth_date > {born_by}")
            }
            StudentNightShift => format!("{} AND a.night_shift = TRUE", students("a")),
            PayBelowFloor => {
                // The host's post the position names, looked up only for the
                // internships judged (a scalar subquery, not a join of every row).
                let pct = self.bind(settings.pay_floor_pct.get());
                let mut below = format!(
                    "COALESCE(a.monthly_stipend_fen, 0) * 100 < (SELECT p.probation_monthly_fen * {pct} \
                     FROM enterprise_posts p WHERE p.enterprise_id = a.enterprise_id AND p.name_key = a.position_key)"
                );
                if let Some(minimum) = settings.minimum_monthly_fen {
                    below = format!(
                        "({below} OR COALESCE(a.monthly_stipend_fen, 0) < {})",
                        self.bind(minimum.get())
                    );
                }
                format!("{} AND {below}", internships("a"))
            }
            InsuranceExpired => format!("{} AND a.insurance_expires_on < {}", students("a"), self.on()),
            NoRecentVisit => {
                let since = days_before(self.judging.on, settings.visit_interval_days.get());
                let started_by = self.bind(since);
                let (after, to) = (self.bind(since), self.on());
                format!(
                    "{} AND a.start_date <= {started_by} \
                     AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.apprenticeship_id = a.id \
                     AND v.visited_on > {after} AND v.visited_on <= {to})",
                    students("a")
                )
            }
            JournalMissing => {
                // The whole weeks due: from the first Monday on or after the
                // start to the last Sunday on or before both the end and
                // `on` − 7 days.
                let week_ago = days_before(self.judging.on, 7);
                let (ended, week_ago_a, week_ago_b) = (self.bind(week_ago), self.bind(week_ago), self.bind(week_ago));
                let last = format!(
                    "CASE WHEN a.end_date IS NOT NULL AND a.end_date < {ended} THEN a.end_date ELSE {week_ago_a} END"
                );
                let first_monday = format!("((({} + 6) / 7) * 7)", self.day_number("a.start_date"));
                let due = format!("(({} - {first_monday} + 1) / 7)", self.day_number(&last));
                let week_end = format!("{} + 6", self.day_number("j.week_of"));
                let end = self.day_number("a.end_date");
                let kept = format!(
                    "(SELECT COUNT(*) FROM journals j WHERE j.apprenticeship_id = a.id AND j.week_of >= a.start_date \
                     AND {week_end} <= {} AND (a.end_date IS NULL OR {week_end} <= {end}))",
                    self.day_number(&week_ago_b)
                );
                format!("{} AND {due} > {kept}", students("a"))
            }
            _ => return None,
        })
    }

    /// The condition on placement `a` of a rule about one placement; `None`
    /// for the others.
    fn placement_condition(&mut self, rule: ComplianceRule) -> Option<String> {
        if rule == ComplianceRule::PastEndDate {
            return Some(format!(
                "a.status IN ({}) AND a.end_date < {}",
                status_list(JUDGED_AT_ALL),
                self.on()
            ));
        }
        let statuses = rule.judged_statuses()?;
        let judged = self.judged("a", statuses);
        let condition = self.judged_condition(rule)?;
        Some(format!("{judged} AND {condition}"))
    }

    /// The join of the host's post a placement's position names (for the
    /// pay floor's columns).
    const POST_JOIN: &'static str =
        " LEFT JOIN enterprise_posts p ON p.enterprise_id = a.enterprise_id AND p.name_key = a.position_key";

    /// One query counting the findings of each of `rules` judged on the day
    /// about one placement (see `ComplianceRule::judged_statuses`) in a single pass over
    /// the placements in scope judged on `on` (`n0`, `n1`, … in their
    /// order): each rule's condition is a `CASE` of the rows the pass reads
    /// through the covering indexes (`apprenticeships_rules`, `…_dates`).
    fn placement_counts(&mut self, rules: &[ComplianceRule]) -> String {
        let mut sums = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let Some(statuses) = rule.judged_statuses() else {
                continue;
            };
            // The pass reads every status judged; a rule judging fewer says which.
            let only = match statuses == JUDGED_AT_ALL {
                true => String::new(),
                false => format!("a.status IN ({}) AND ", status_list(statuses)),
            };
            if let Some(condition) = self.judged_condition(*rule) {
                sums.push(format!(
                    "COALESCE(SUM(CASE WHEN {only}{condition} THEN 1 ELSE 0 END), 0) AS n{i}"
                ));
            }
        }
        let judged = self.judged("a", JUDGED_AT_ALL);
        let scope = self.placements_in_scope("a");
        format!(
            "SELECT {} FROM apprenticeships a WHERE {judged} AND {scope}",
            sums.join(", ")
        )
    }

    /// The query of one rule's findings on the judging's day, in scope.
    fn rule(&mut self, rule: ComplianceRule) -> String {
        use ComplianceRule::*;
        let settings = self.judging.settings.clone();
        match rule {
            FirstYearStudent | MinorHazardousWork | StudentNightShift | PayBelowFloor | InsuranceExpired
            | PastEndDate | NoRecentVisit | JournalMissing => {
                let select = self.placement_columns(rule);
                let condition = self.placement_condition(rule).unwrap_or_else(|| "1 = 0".to_string());
                let scope = self.placements_in_scope("a");
                let join = if rule == PayBelowFloor { Self::POST_JOIN } else { "" };
                format!("{select} FROM apprenticeships a{join} WHERE {condition} AND {scope}")
            }
            InternShareEnterprise | StaffCountUnknown => {
                let known = rule == InternShareEnterprise;
                let select = Columns {
                    enterprise_id: "a.enterprise_id",
                    n1: "COUNT(*)",
                    n2: if known { "e.staff_count" } else { "CAST(NULL AS bigint)" },
                    ..Columns::enterprise()
                }
                .select();
                let judged = self.judged("a", ACTIVE);
                let scope = self.enterprises_in_scope("a.enterprise_id");
                let (staff, having) = if known {
                    let pct = self.bind(settings.intern_share_enterprise_pct.get());
                    (
                        "e.staff_count IS NOT NULL",
                        format!(
                            " GROUP BY a.enterprise_id, e.staff_count HAVING COUNT(*) * 100 > {pct} * e.staff_count"
                        ),
                    )
                } else {
                    ("e.staff_count IS NULL", " GROUP BY a.enterprise_id".to_string())
                };
                format!(
                    "{select} FROM apprenticeships a JOIN enterprises e ON e.id = a.enterprise_id \
                     WHERE {judged} AND {} AND {staff} AND {scope}{having}",
                    internships("a")
                )
            }
            InternSharePost => {
                let select = Columns {
                    enterprise_id: "a.enterprise_id",
                    post: "p.name",
                    post_key: "p.name_key",
                    n1: "COUNT(*)",
                    n2: "p.staff_count",
                    ..Columns::enterprise()
                }
                .select();
                let judged = self.judged("a", ACTIVE);
                let scope = self.enterprises_in_scope("a.enterprise_id");
                let pct = self.bind(settings.intern_share_post_pct.get());
                format!(
                    "{select} FROM apprenticeships a JOIN enterprise_posts p \
                     ON p.enterprise_id = a.enterprise_id AND p.name_key = a.position_key \
                     WHERE {judged} AND {} AND p.staff_count IS NOT NULL AND {scope} \
                     GROUP BY a.enterprise_id, p.name_key, p.name, p.staff_count \
                     HAVING COUNT(*) * 100 > {pct} * p.staff_count",
                    internships("a")
                )
            }
            HoursOverLimit => {
                let select = Columns {
                    week_of: "j.week_of",
                    n1: "j.hours_worked",
                    ..Columns::placement()
                }
                .select();
                let limit = self.bind(MAX_STUDENT_WEEK_HOURS);
                let on = self.on();
                let scope = self.placements_in_scope("a");
                // The journals first, by their hours (`CROSS JOIN` keeps
                // SQLite from walking the placements by kind instead).
                format!(
                    "{select} FROM journals j CROSS JOIN apprenticeships a WHERE a.id = j.apprenticeship_id \
                     AND {} AND j.hours_worked > {limit} AND j.week_of <= {on} AND {scope}",
                    students("a")
                )
            }
            IncidentUnreported => {
                let select = Columns {
                    incident_id: "i.id",
                    label: "i.severity",
                    d1: "i.occurred_on".into(),
                    d2: "i.reported_to_bureau_on",
                    ..Columns::placement()
                }
                .select();
                let before = self.bind(days_before(self.judging.on, 1));
                let on = self.on();
                let scope = self.placements_in_scope("a");
                format!(
                    "{select} FROM incidents i CROSS JOIN apprenticeships a WHERE a.id = i.apprenticeship_id \
                     AND i.severity IN ('serious', 'major') AND i.occurred_on < {before} \
                     AND (i.reported_to_bureau_on IS NULL OR i.reported_to_bureau_on > {on}) AND {scope}"
                )
            }
        }
    }
}

/// One value of a finding's place in the order, after its enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum KeyValue {
    Id(Uuid),
    Date(NaiveDate),
    Text(String),
}

impl KeyValue {
    fn value(&self) -> sea_orm::Value {
        match self {
            KeyValue::Id(id) => (*id).into(),
            KeyValue::Date(day) => (*day).into(),
            KeyValue::Text(text) => text.clone().into(),
        }
    }
}

/// Where a page starts: after this finding of this rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct After {
    rule: ComplianceRule,
    enterprise_id: Uuid,
    rest: Vec<KeyValue>,
}

/// The columns a rule's findings are ordered by after `enterprise_id`.
fn order_columns(rule: ComplianceRule) -> &'static [&'static str] {
    match rule.subject() {
        Subject::Placement => &["apprenticeship_id"],
        Subject::Enterprise => &[],
        Subject::Post => &["post_key"],
        Subject::Incident => &["apprenticeship_id", "incident_id"],
        Subject::Week => &["apprenticeship_id", "week_of"],
    }
}

/// A finding's place in its rule's order, after its enterprise.
fn rest_of(rule: ComplianceRule, found: &Found) -> Vec<KeyValue> {
    order_columns(rule)
        .iter()
        .filter_map(|column| match *column {
            "apprenticeship_id" => found.apprenticeship_id.map(KeyValue::Id),
            "post_key" => found.post_key.clone().map(KeyValue::Text),
            "incident_id" => found.incident_id.map(KeyValue::Id),
            _ => found.week_of.map(KeyValue::Date),
        })
        .collect()
}

impl Writer<'_> {
    /// `SELECT COUNT(*) AS n0` of a rule's findings.
    fn count(&mut self, rule: ComplianceRule) -> String {
        format!("SELECT COUNT(*) AS n0 FROM ({}) AS f", self.rule(rule))
    }

    /// Up to `limit` of a rule's findings in its order, after `after`.
    fn page(&mut self, rule: ComplianceRule, after: Option<&After>, limit: u64) -> String {
        let inner = self.rule(rule);
        let mut columns = vec!["enterprise_id"];
        columns.extend(order_columns(rule));
        let condition = match after {
            Some(after) => {
                let mut values = vec![KeyValue::Id(after.enterprise_id)];
                values.extend(after.rest.iter().cloned());
                self.after(&columns, &values)
            }
            None => "1 = 1".to_string(),
        };
        let order: Vec<String> = columns.iter().map(|c| format!("f.{c}")).collect();
        let limit = self.bind(limit as i64);
        format!(
            "SELECT * FROM ({inner}) AS f WHERE {condition} ORDER BY {} LIMIT {limit}",
            order.join(", ")
        )
    }

    /// `(columns) > (values)`, column by column.
    fn after(&mut self, columns: &[&str], values: &[KeyValue]) -> String {
        match (columns, values) {
            ([column], [value]) => format!("f.{column} > {}", self.bind(value.value())),
            ([column, more @ ..], [value, rest @ ..]) if more.len() == rest.len() => {
                let (greater, equal) = (self.bind(value.value()), self.bind(value.value()));
                format!(
                    "(f.{column} > {greater} OR (f.{column} = {equal} AND {}))",
                    self.after(more, rest)
                )
            }
            _ => "1 = 0".to_string(),
        }
    }
}

/// A finding as the API shows it, from its row.
fn finding_of(rule: ComplianceRule, found: Found, judging: &Judging, weeks: Vec<NaiveDate>) -> Finding {
    use ComplianceRule::*;
    let on = judging.on;
    let settings = &judging.settings;
    let days = |from: Option<NaiveDate>| from.map(|day| (on - day).num_days());
    let (facts, detail) = match rule {
        FirstYearStudent => (
            json!({"enrolled_on": found.d1, "start_date": found.d2}),
            format!(
                "a student internship starting on {} is less than a year after enrolling on {}",
                text_of(found.d2),
                text_of(found.d1)
            ),
        ),
        MinorHazardousWork => {
            let age = found.d1.map(|born| age_on(born, on));
            (
                json!({"birth_date": found.d1, "age": age}),
                format!("hazardous work by a participant aged {} (under 18)", text_of(age)),
            )
        }
        StudentNightShift => (
            json!({"night_shift": true}),
            "a student placement with night work (22:00–06:00)".to_string(),
        ),
        PayBelowFloor => {
            let pct = settings.pay_floor_pct.get();
            let share = found.n2.map(|probation| (probation * pct + 99) / 100);
            let minimum = settings.minimum_monthly_fen.map(|m| m.get());
            let floor = share.into_iter().chain(minimum).max();
            (
                json!({"stipend_fen": found.n1, "floor_fen": floor, "probation_monthly_fen": found.n2,
                       "pay_floor_pct": pct, "minimum_monthly_fen": minimum}),
                format!(
                    "a monthly stipend of {} fen is below the floor of {} fen",
                    text_of(found.n1),
                    text_of(floor)
                ),
            )
        }
        InternShareEnterprise | InternSharePost => {
            let pct = match rule {
                InternShareEnterprise => settings.intern_share_enterprise_pct.get(),
                _ => settings.intern_share_post_pct.get(),
            };
            let limit = found.n2.map(|staff| staff * pct / 100);
            let of = match &found.post {
                Some(post) => format!("on the post {post}"),
                None => "at the enterprise".to_string(),
            };
            (
                json!({"interns": found.n1, "staff_count": found.n2, "limit": limit, "pct": pct}),
                format!(
                    "{} interns {of} of {} staff: more than {pct} % (at most {})",
                    text_of(found.n1),
                    text_of(found.n2),
                    text_of(limit)
                ),
            )
        }
        StaffCountUnknown => (
            json!({"interns": found.n1, "staff_count": null}),
            format!(
                "hosts {} interns but has no staff_count to compare them with",
                text_of(found.n1)
            ),
        ),
        InsuranceExpired => (
            json!({"insurance_expires_on": found.d1, "days_expired": days(found.d1)}),
            format!("the internship liability insurance ended on {}", text_of(found.d1)),
        ),
        PastEndDate => (
            json!({"end_date": found.d1, "days_past": days(found.d1), "status": found.label}),
            format!(
                "still {} after its end date {}",
                found.label.as_deref().unwrap_or("active"),
                text_of(found.d1)
            ),
        ),
        NoRecentVisit => {
            let interval = settings.visit_interval_days.get();
            (
                json!({"last_visited_on": found.d1, "days_since_visit": days(found.d1),
                       "visit_interval_days": interval}),
                match found.d1 {
                    Some(last) => format!("no supervision visit in {interval} days (the last on {last})"),
                    None => format!("no supervision visit in {interval} days (none yet)"),
                },
            )
        }
        JournalMissing => (
            json!({"weeks": weeks, "missing": weeks.len()}),
            format!("{} past weeks without a journal", weeks.len()),
        ),
        HoursOverLimit => (
            json!({"week_of": found.week_of, "hours_worked": found.n1, "limit": MAX_STUDENT_WEEK_HOURS}),
            format!(
                "the journal of the week of {} reports {} hours worked (at most {MAX_STUDENT_WEEK_HOURS})",
                text_of(found.week_of),
                text_of(found.n1)
            ),
        ),
        IncidentUnreported => (
            json!({"incident_id": found.incident_id, "severity": found.label, "occurred_on": found.d1,
                   "days_since": days(found.d1)}),
            format!(
                "a {} incident of {} is not reported to the education bureau",
                found.label.as_deref().unwrap_or("serious"),
                text_of(found.d1)
            ),
        ),
    };
    Finding {
        rule,
        severity: rule.severity(),
        enterprise_id: found.enterprise_id,
        school_id: found.school_id,
        apprenticeship_id: found.apprenticeship_id,
        post: found.post,
        facts: match facts {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        },
        detail,
    }
}

/// A value in a sentence (`?` for none).
fn text_of<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "?".to_string(), |v| v.to_string())
}

/// The journal weeks each of `placements` has (to tell which due weeks are missing).
async fn journal_weeks_of(
    db: &impl ConnectionTrait,
    placements: &[Uuid],
) -> Result<HashMap<Uuid, Vec<NaiveDate>>, ApiError> {
    #[derive(FromQueryResult)]
    struct Week {
        apprenticeship_id: Uuid,
        week_of: NaiveDate,
    }
    let mut weeks: HashMap<Uuid, Vec<NaiveDate>> = HashMap::new();
    if placements.is_empty() {
        return Ok(weeks);
    }
    let mut binds = Binds::new(db.get_database_backend());
    let ids: Vec<String> = placements.iter().map(|id| binds.bind(*id)).collect();
    let text = format!(
        "SELECT apprenticeship_id, week_of FROM journals WHERE apprenticeship_id IN ({})",
        ids.join(", ")
    );
    for week in Week::find_by_statement(binds.statement(text)).all(db).await? {
        weeks.entry(week.apprenticeship_id).or_default().push(week.week_of);
    }
    Ok(weeks)
}

/// How many of a request's queries run at once (each on its own pooled
/// connection): the summary's rules are counted side by side.
const QUERIES_AT_ONCE: usize = 3;

/// How many findings each of `rules` has: those judging one placement on
/// the day counted together in one pass over the placements judged, each
/// other rule by its own query; up to [`QUERIES_AT_ONCE`] of these queries
/// run at once.
async fn counts(
    db: &impl ConnectionTrait,
    judging: &Judging,
    rules: &[ComplianceRule],
) -> Result<BTreeMap<ComplianceRule, u64>, ApiError> {
    let backend = db.get_database_backend();
    let (placements, others): (Vec<ComplianceRule>, Vec<ComplianceRule>) =
        rules.iter().partition(|rule| rule.judged_statuses().is_some());
    let mut queries = Vec::new();
    if !placements.is_empty() {
        let mut writer = Writer {
            binds: Binds::new(backend),
            judging,
        };
        let text = writer.placement_counts(&placements);
        queries.push((placements, writer.binds.statement(text)));
    }
    for rule in others {
        let mut writer = Writer {
            binds: Binds::new(backend),
            judging,
        };
        let text = writer.count(rule);
        queries.push((vec![rule], writer.binds.statement(text)));
    }
    let answers: Vec<Vec<(ComplianceRule, u64)>> = stream::iter(queries)
        .map(|(rules, statement)| async move {
            let row = db.query_one_raw(statement).await?;
            let mut counted = Vec::new();
            for (i, rule) in rules.iter().enumerate() {
                let n: i64 = match &row {
                    Some(row) => row.try_get("", &format!("n{i}"))?,
                    None => 0,
                };
                counted.push((*rule, n.max(0) as u64));
            }
            Ok::<_, ApiError>(counted)
        })
        .buffered(QUERIES_AT_ONCE)
        .try_collect()
        .await?;
    Ok(answers.into_iter().flatten().collect())
}

/// Up to `limit` findings of `rule` after `after`, in order.
async fn found(
    db: &impl ConnectionTrait,
    judging: &Judging,
    rule: ComplianceRule,
    after: Option<&After>,
    limit: u64,
) -> Result<Vec<Found>, ApiError> {
    let mut writer = Writer {
        binds: Binds::new(db.get_database_backend()),
        judging,
    };
    let text = writer.page(rule, after, limit);
    Ok(Found::find_by_statement(writer.binds.statement(text)).all(db).await?)
}

/// The day and scope of a request, with the settings in force.
async fn judging(
    db: &Database,
    caller: &Principal,
    query: &ComplianceQuery,
    findings: bool,
    on: Option<NaiveDate>,
) -> Result<Judging, ApiError> {
    let scope = policy::compliance(caller, findings, query.school_id, query.enterprise_id)?;
    Ok(Judging {
        on: on.or(query.on.map(Date::naive)).unwrap_or_else(clock::today),
        settings: current(db.read()).await?.values,
        scope,
    })
}

/// `GET /compliance/summary`: every rule's number of findings on `on` in
/// the caller's scope (a viewer reads this and nothing finer).
pub async fn summary(
    db: &Database,
    caller: &Principal,
    query: &ComplianceQuery,
) -> Result<ComplianceSummary, ApiError> {
    let judging = judging(db, caller, query, false, None).await?;
    let by_rule = counts(db.read(), &judging, ComplianceRule::ALL).await?;
    let (mut breaches, mut warnings) = (0, 0);
    for (rule, n) in &by_rule {
        match rule.severity() {
            Severity::Breach => breaches += n,
            Severity::Warning => warnings += n,
        }
    }
    Ok(ComplianceSummary {
        on: judging.on,
        breaches,
        warnings,
        by_rule,
    })
}

/// The findings' list request: the page, bound to the query as sent (the
/// day judged travels in the cursor, so that a walk begun before midnight
/// without `on` goes on with the same day).
pub fn findings_request(
    page: &PageQuery,
    query: &ComplianceQuery,
    filters: &FindingFilters,
) -> Result<ListRequest<FindingOrder>, ApiError> {
    ListRequest::new(page, None, Sort::default(), &(query, filters))
}

/// `GET /compliance/findings`: one page of the findings on `on` in the
/// caller's scope, breaches first, then by rule, enterprise and placement.
pub async fn findings(
    db: &Database,
    caller: &Principal,
    query: &ComplianceQuery,
    filters: &FindingFilters,
    request: ListRequest<FindingOrder>,
) -> Result<PageOf<Finding>, ApiError> {
    let rules: Vec<ComplianceRule> = rules_in_order()
        .into_iter()
        .filter(|rule| filters.rule.is_none_or(|wanted| wanted == *rule))
        .filter(|rule| filters.severity.is_none_or(|wanted| wanted == rule.severity()))
        .collect();
    let (after, on) = match &request.after {
        None => (None, None),
        Some((SortValue::Text(text), enterprise_id)) => {
            let (rule, rest, on): (ComplianceRule, Vec<KeyValue>, NaiveDate) =
                serde_json::from_str(text).map_err(|_| bad_cursor())?;
            if !rules.contains(&rule) {
                return Err(bad_cursor());
            }
            let after = After {
                rule,
                enterprise_id: *enterprise_id,
                rest,
            };
            (Some(after), Some(on))
        }
        Some(_) => return Err(bad_cursor()),
    };
    let judging = judging(db, caller, query, true, on).await?;
    let start = after
        .as_ref()
        .and_then(|a| rules.iter().position(|rule| *rule == a.rule))
        .unwrap_or(0);
    // A page with its total counts each rule's findings (side by side) while
    // it reads the page's first rule, and then reads only the later rules
    // that have findings, one by one; an export's next page (no total) reads
    // the rules in order, a few ahead. Each query asks for a whole page: the
    // rules before it may have fewer findings.
    let read = |rule: ComplianceRule| {
        let from = after.as_ref().filter(|a| a.rule == rule);
        let judging = &judging;
        async move {
            let found = found(db.read(), judging, rule, from, request.limit + 1).await?;
            Ok::<_, ApiError>(found.into_iter().map(|f| (rule, f)).collect::<Vec<_>>())
        }
    };
    let mut rows: Vec<(ComplianceRule, Found)> = Vec::new();
    let (counted, later) = match (request.with_total, rules.get(start)) {
        (true, Some(first)) => {
            let (counted, page) = futures_util::try_join!(counts(db.read(), &judging, &rules), read(*first))?;
            rows = page;
            (Some(counted), start + 1)
        }
        (true, None) => (Some(BTreeMap::new()), start),
        (false, _) => (None, start),
    };
    let total = counted.as_ref().map_or(0, |counted| counted.values().sum());
    let to_read: Vec<ComplianceRule> = rules[later..]
        .iter()
        .copied()
        .filter(|rule| {
            counted
                .as_ref()
                .is_none_or(|counted| counted.get(rule).is_some_and(|n| *n > 0))
        })
        .collect();
    let mut pages = stream::iter(to_read)
        .map(read)
        .buffered(if counted.is_some() { 1 } else { QUERIES_AT_ONCE });
    while rows.len() as u64 <= request.limit {
        match pages.try_next().await? {
            Some(page) => rows.extend(page),
            None => break,
        }
    }
    let next_cursor = if rows.len() as u64 > request.limit {
        rows.truncate(request.limit as usize);
        rows.last().map(|(rule, last)| {
            let key = serde_json::to_string(&(rule, rest_of(*rule, last), judging.on)).unwrap_or_default();
            Cursor {
                key: serde_json::to_value(SortValue::Text(key)).unwrap_or_default(),
                id: last.enterprise_id,
                binding: request.binding.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    let missing: Vec<Uuid> = rows
        .iter()
        .filter(|(rule, _)| *rule == ComplianceRule::JournalMissing)
        .filter_map(|(_, f)| f.apprenticeship_id)
        .collect();
    let mut kept = journal_weeks_of(db.read(), &missing).await?;
    let items = rows
        .into_iter()
        .map(|(rule, found)| {
            let weeks = match (rule, found.d1, found.apprenticeship_id) {
                (ComplianceRule::JournalMissing, Some(start), Some(id)) => {
                    let have = kept.remove(&id).unwrap_or_default();
                    journal_weeks(start, found.d2, judging.on)
                        .into_iter()
                        .filter(|week| !have.contains(week))
                        .collect()
                }
                _ => Vec::new(),
            };
            finding_of(rule, found, &judging, weeks)
        })
        .collect();
    Ok(PageOf {
        items,
        next_cursor,
        total,
    })
}
