//! The county as demo data: the alliance of the April 2024 report (its
//! enterprises, the county vocational education centre, users of every
//! role, placements of every kind in several statuses with their history,
//! the coordination meeting of 2024-04-03 with its follow-up work, the
//! survey's demand list, the five bases of the report, the welding
//! competition at 辰泰重钢, and the centre's teachers' practice at 华建五分厂,
//! one of them below the requirement).
//!
//! The enterprises' staff and posts and the placements' night shifts,
//! hazards, insurance ends and enrolment dates give the compliance rules
//! something to find on a day of spring 2024 (2024-05-06): at 华建五分厂 two
//! student interns among 18 employees (more than 10 %), one of them a
//! first-year student, the other paid 2,500 yuan a month where an 装配工 earns
//! 3,500 on probation (below 80 %); a night shift in the 华铝家居 apprenticeship;
//! and an insurance that ended before the 华建科技园 observation internship did;
//! the centre's supervision visits (one too long ago) and a serious injury
//! not reported to the bureau. 李明, the 岗位实习 intern at 华建五分厂, has
//! an account (`liming`) with a week of check-ins and two journals, one
//! approved by both sides and one returned by the school.
//!
//! Everything goes through the same services as the API (validated and
//! audited, by the actor `demo-data`). Records have fixed ids, so a second
//! run finds them and changes nothing.

use super::Database;
use chrono::{TimeZone, Utc};
use sea_orm::EntityTrait;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{apprenticeships, journals, now, resource, users};
use crate::auth::Principal;
use crate::domain::vocab::{ApprenticeshipStatus, CheckInKind};
use crate::error::ApiError;
use crate::model::apprenticeship::{ApprenticeshipCreate, ApprenticeshipFields, TransitionRequest};
use crate::model::base::BaseFields;
use crate::model::check::{decode, Check};
use crate::model::check_in::CheckInFields;
use crate::model::competition::CompetitionFields;
use crate::model::demand::DemandFields;
use crate::model::enterprise::EnterpriseCreate;
use crate::model::field::{Date, Latitude, Longitude, Metres, Stored as _};
use crate::model::incident::IncidentFields;
use crate::model::journal::JournalFields;
use crate::model::meeting::MeetingFields;
use crate::model::record::Meta;
use crate::model::resource::{Create, Record};
use crate::model::school::SchoolCreate;
use crate::model::user::UserCreate;
use crate::model::visit::VisitFields;

/// The password of every demo user (they are for trying the API out, never for production).
pub const DEMO_PASSWORD: &str = "chanjiao-demo-2024";

/// What a run of the demo loader did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoReport {
    /// Records created by this run (0 when the demo was there already).
    pub created: usize,
    /// Records found from an earlier run and left as they were.
    pub kept: usize,
}

/// The fixed id of demo record `n`: a UUIDv7 of 2024-04-03 whose random
/// part spells the demo and `n`.
fn demo_id(n: u16) -> Uuid {
    let millis = Utc
        .with_ymd_and_hms(2024, 4, 3, 0, 0, 0)
        .single()
        .map_or(0, |t| t.timestamp_millis() as u64);
    let [hi, lo] = n.to_be_bytes();
    uuid::Builder::from_unix_timestamp_millis(millis, &[0x63, 0x6a, 0x64, 0x65, 0x6d, 0x6f, 0, 0, hi, lo]).into_uuid()
}

/// The demo's enterprises, by their fixed ids.
const CHENTAI: u16 = 1;
const HUALV: u16 = 2;
const HUAJIAN5: u16 = 3;
const HUAJIAN_PARK: u16 = 4;
const YILI: u16 = 5;
const BAOLONGDA: u16 = 6;
/// The county vocational education centre.
const CENTRE: u16 = 20;
/// The meeting of 2024-04-03.
const MEETING: u16 = 40;
/// The demand list of the survey.
const WELDING_ORDER_CLASS: u16 = 80;
const WELDING_TRAINING: u16 = 81;
const NEW_MEDIA: u16 = 82;
const DIGITAL_SKILLS: u16 = 83;
/// The five bases of the report.
const CHENTAI_BASE: u16 = 90;
const YILI_BASE: u16 = 91;
const BAOLONGDA_BASE: u16 = 92;
const HUAJIAN_SCHOOL: u16 = 93;
const HUALV_SCHOOL: u16 = 94;
/// The welding competition at 辰泰重钢.
const COMPETITION: u16 = 100;

/// The supervision visits and the incident.
const VISIT_LI_MING: u16 = 110;
const VISIT_NEW_INTERN: u16 = 111;
const INCIDENT: u16 = 120;

fn id(n: u16) -> String {
    demo_id(n).to_string()
}

fn read<T: DeserializeOwned + Check>(value: Value) -> Result<T, ApiError> {
    decode(&value)
}

/// Loads the demo into the database unless it is there already.
pub async fn load(db: &Database) -> Result<DemoReport, ApiError> {
    let caller = Principal::system("demo-data");
    let mut report = DemoReport::default();
    let mut count = |created: bool| {
        if created {
            report.created += 1;
        } else {
            report.kept += 1;
        }
    };

    for (n, body) in enterprises() {
        let Create(fields) = read::<EnterpriseCreate>(body)?;
        count(store_once(db, &caller, Record::new(meta(n), fields)).await?);
    }
    let Create(fields) = read::<SchoolCreate>(centre())?;
    count(store_once(db, &caller, Record::new(meta(CENTRE), fields)).await?);

    for body in demo_users() {
        let input: UserCreate = read(body)?;
        match users::create_as(db, &caller, input).await {
            Ok(_) => count(true),
            Err(ApiError::Conflict { .. }) => count(false),
            Err(err) => return Err(err),
        }
    }

    let Create(fields) = read::<Create<MeetingFields>>(coordination_meeting())?;
    count(store_once(db, &caller, Record::new(meta(MEETING), fields)).await?);
    for (n, body) in bases() {
        let Create(fields) = read::<Create<BaseFields>>(body)?;
        count(store_once(db, &caller, Record::new(meta(n), fields)).await?);
    }
    for (n, body) in demands() {
        let Create(fields) = read::<Create<DemandFields>>(body)?;
        count(store_once(db, &caller, Record::new(meta(n), fields)).await?);
    }

    for (n, body, moves) in placements() {
        let Create(fields) = read::<ApprenticeshipCreate>(body)?;
        let created = store_once(db, &caller, Record::new(meta(n), fields)).await?;
        if created {
            for (to, reason) in moves {
                let request = TransitionRequest {
                    to,
                    reason: reason.map(|r| read(json!(r))).transpose()?,
                    reason_code: None,
                };
                apprenticeships::transition(db, &caller, demo_id(n), None, request).await?;
            }
        }
        count(created);
    }

    let Create(fields) = read::<Create<CompetitionFields>>(competition())?;
    count(store_once(db, &caller, Record::new(meta(COMPETITION), fields)).await?);
    for (n, body) in visits() {
        let Create(fields) = read::<Create<VisitFields>>(body)?;
        count(store_once(db, &caller, Record::new(meta(n), fields)).await?);
    }
    let Create(fields) = read::<Create<IncidentFields>>(incident())?;
    count(store_once(db, &caller, Record::new(meta(INCIDENT), fields)).await?);

    // 李明's week: his check-ins, and his journals with the reviews of both sides.
    for (n, fields) in check_ins() {
        count(store_once(db, &caller, Record::new(meta(n), fields)).await?);
    }
    let placement = resource::get::<ApprenticeshipFields>(db, &caller, demo_id(LI_MING_PLACEMENT)).await?;
    for (n, body, reviews) in journals() {
        let Create(mut fields) = read::<Create<JournalFields>>(body)?;
        fields.apprenticeship_id = placement.id;
        fields.school_id = placement.fields.school_id;
        fields.enterprise_id = placement.fields.enterprise_id;
        let created = store_once(db, &caller, Record::new(meta(n), fields)).await?;
        if created {
            for review in reviews {
                journals::review(db, &caller, demo_id(n), None, review.to_string().as_bytes()).await?;
            }
        }
        count(created);
    }
    Ok(report)
}

fn meta(n: u16) -> Meta {
    let at = now();
    Meta {
        id: demo_id(n),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// [`create_once`] for a resource of the one road (with what it copies
/// from the records it names, as a create takes it).
async fn store_once<F: resource::Stored>(
    db: &Database,
    caller: &Principal,
    mut record: Record<F>,
) -> Result<bool, ApiError> {
    if <F::Table as EntityTrait>::find_by_id(record.id)
        .one(db.write())
        .await?
        .is_some()
    {
        return Ok(false);
    }
    record.fields.derive(db.read()).await?;
    resource::store_new(db, caller, record).await?;
    Ok(true)
}

fn enterprises() -> Vec<(u16, Value)> {
    vec![
        (
            CHENTAI,
            json!({
                "name": "辰泰重钢有限公司", "short_name": "辰泰重钢", "credit_code": "91371526MA3CT0A01A",
                "industry": "钢铁", "scale": "large", "region_code": "371526", "contact_name": "周经理",
                "contact_phone": "0635-5123456", "membership_status": "council_member", "joined_on": "2023-06-01",
                "description": "重型钢构件生产企业，联盟理事单位，建有创新服务基地，开展职工焊接技能培训和学生技能大比武。",
                "tags": ["产教融合基地", "创新服务基地", "订单班"], "staff_count": 1260,
                "posts": [
                    {"name": "焊工", "staff_count": 320, "probation_monthly_fen": 450000},
                    {"name": "起重工", "staff_count": 60, "probation_monthly_fen": 420000},
                    {"name": "质检员", "staff_count": 40, "probation_monthly_fen": 400000}]}),
        ),
        (
            HUALV,
            json!({
                "name": "华铝家居有限公司", "short_name": "华铝家居", "credit_code": "91371526MA3CT0A02D",
                "industry": "家居制造", "scale": "medium", "region_code": "371526",
                "membership_status": "member", "joined_on": "2023-06-01",
                "description": "家居制造企业，厂中校试点单位，培养新媒体营销人才。",
                "tags": ["厂中校"], "staff_count": 420,
                "posts": [
                    {"name": "新媒体运营", "staff_count": 12, "probation_monthly_fen": 380000},
                    {"name": "木工", "staff_count": 150, "probation_monthly_fen": 360000}]}),
        ),
        (
            HUAJIAN5,
            json!({
                "name": "华建五分厂", "short_name": "华建五分厂", "credit_code": "91371526MA3CT0A03G",
                "industry": "建材", "scale": "small", "region_code": "371526",
                "membership_status": "member", "joined_on": "2023-06-01",
                "description": "学生岗位实习和教师入企实践基地。", "tags": ["岗位实习", "教师实践"], "staff_count": 18,
                "posts": [
                    {"name": "装配工", "staff_count": 10, "probation_monthly_fen": 350000},
                    {"name": "质检员", "staff_count": 5, "probation_monthly_fen": 300000}]}),
        ),
        (
            HUAJIAN_PARK,
            json!({
                "name": "华建科技园", "short_name": "华建科技园", "credit_code": "91371526MA3CT0A04K",
                "industry": "科技园区", "scale": "medium", "region_code": "371526",
                "membership_status": "member", "joined_on": "2023-09-01",
                "description": "厂中校多媒体实验室已投入运行。", "tags": ["厂中校"], "staff_count": 350,
                "posts": [{"name": "多媒体制作", "staff_count": 20, "probation_monthly_fen": 400000}]}),
        ),
        (
            YILI,
            json!({
                "name": "伊利乳业有限公司", "short_name": "伊利乳业", "credit_code": "91371526MA3CT0A05N",
                "industry": "乳制品", "scale": "large", "region_code": "371526",
                "membership_status": "member", "joined_on": "2023-09-01",
                "description": "产业工人数字素养与技能提升培训基地。", "tags": ["产教融合基地"], "staff_count": 2100,
                "posts": [{"name": "生产线操作工", "staff_count": 1200, "probation_monthly_fen": 380000}]}),
        ),
        (
            BAOLONGDA,
            json!({
                "name": "宝龙达有限公司", "short_name": "宝龙达", "credit_code": "91371526MA3CT0A06R",
                "industry": "电子信息", "scale": "medium", "region_code": "371526",
                "membership_status": "applicant",
                "description": "产学研基地。", "tags": ["产学研基地"], "staff_count": 380,
                "posts": [{"name": "电子装配工", "staff_count": 200, "probation_monthly_fen": 360000}]}),
        ),
    ]
}

fn centre() -> Value {
    json!({
        "name": "县职业教育中心", "short_name": "县职教中心", "code": "4137152601", "kind": "secondary_vocational",
        "region_code": "371526", "contact_name": "谭刚", "contact_phone": "0635-5234567",
        "membership_status": "council_member", "joined_on": "2023-06-01",
        "majors": [
            {"code": "660301", "name": "焊接技术应用"},
            {"code": "730701", "name": "电子商务"},
            {"name": "新媒体营销"},
            {"code": "660103", "name": "数控技术应用"},
            {"code": "710201", "name": "计算机应用"}]})
}

fn demo_users() -> Vec<Value> {
    vec![
        json!({"username": "jiaotiju", "display_name": "县教体局", "role": "officer", "password": DEMO_PASSWORD}),
        json!({"username": "zhijiao", "display_name": "县职教中心 教务处", "role": "school",
               "school_id": id(CENTRE), "password": DEMO_PASSWORD}),
        json!({"username": "chentai", "display_name": "辰泰重钢 人力资源部", "role": "enterprise",
               "enterprise_id": id(CHENTAI), "password": DEMO_PASSWORD}),
        json!({"username": "huajian5", "display_name": "华建五分厂 办公室", "role": "enterprise",
               "enterprise_id": id(HUAJIAN5), "password": DEMO_PASSWORD}),
        json!({"username": "dashboard", "display_name": "县数据看板", "role": "viewer", "password": DEMO_PASSWORD}),
        json!({"username": "liming", "display_name": "李明", "role": "participant",
               "participant_national_id": LI_MING_ID, "password": DEMO_PASSWORD}),
    ]
}

/// 李明's resident ID: the participant of the 岗位实习 at 华建五分厂 (placement 60).
const LI_MING_ID: &str = "371526200603150027";

/// 李明's placement at 华建五分厂.
const LI_MING_PLACEMENT: u16 = 60;

/// 李明's check-ins of the week of 2024-04-01 (an `in` and an `out` each
/// working day at 华建五分厂), as a phone sends them.
fn check_ins() -> Vec<(u16, CheckInFields)> {
    let mut out = Vec::new();
    for (day, n) in (1..=5).zip((130..).step_by(2)) {
        let on = chrono::NaiveDate::from_ymd_opt(2024, 4, day).unwrap_or_default();
        for (kind, hour, minute, offset) in [(CheckInKind::In, 0, 52, 0), (CheckInKind::Out, 9, 4, 1)] {
            let at = Utc.from_utc_datetime(&on.and_hms_opt(hour, minute + day, 0).unwrap_or_default());
            out.push((
                n + offset,
                CheckInFields {
                    apprenticeship_id: demo_id(LI_MING_PLACEMENT),
                    school_id: Some(demo_id(CENTRE)),
                    enterprise_id: demo_id(HUAJIAN5),
                    kind,
                    on: Date::from_stored(on),
                    at,
                    latitude: Latitude::parse(36.438215).ok(),
                    longitude: Longitude::parse(115.985406).ok(),
                    accuracy_m: Metres::parse(12.0).ok(),
                    note: None,
                },
            ));
        }
    }
    out
}

/// 李明's journals of the weeks of 2024-04-01 (approved by both sides) and
/// 2024-04-08 (returned by the school), with their reviews.
fn journals() -> Vec<(u16, Value, Vec<Value>)> {
    vec![
        (
            140,
            json!({"week_of": "2024-04-01", "hours_worked": 40, "night_hours": 0,
                   "content": "本周在华建五分厂装配车间跟岗，师傅王建国讲解了装配工艺流程和安全规范，我完成了三批次零部件的预装配。"}),
            vec![
                json!({"decision": "approved", "comment": "按时到岗，操作规范。", "side": "enterprise"}),
                json!({"decision": "approved", "side": "school"}),
            ],
        ),
        (
            141,
            json!({"week_of": "2024-04-08", "hours_worked": 40, "night_hours": 0, "content": "本周继续跟岗装配。"}),
            vec![
                json!({"decision": "returned", "comment": "内容过于简单，请写明本周学到的技能和遇到的问题。", "side": "school"}),
            ],
        ),
    ]
}

type Moves = Vec<(ApprenticeshipStatus, Option<&'static str>)>;

fn placements() -> Vec<(u16, Value, Moves)> {
    use ApprenticeshipStatus::*;
    let to_active = || vec![(Submitted, None), (Active, None)];
    vec![
        (
            60,
            json!({
                "kind": "student_internship", "enterprise_id": id(HUAJIAN5), "school_id": id(CENTRE),
                "participant": {"name": "李明", "student_no": "2022040112", "national_id": "371526200603150027", "phone": "13812345678",
                                "enrolled_on": "2022-09-01"},
                "program": "2022级数控班岗位实习", "major": "数控技术应用", "position": "装配工", "site": "华建五分厂",
                "enterprise_mentor": "王建国", "school_supervisor": "谭刚", "start_date": "2024-03-01", "end_date": "2024-08-31",
                "hours_per_week": 40, "monthly_stipend_fen": 250000, "agreement_signed_on": "2024-02-20",
                "insurance_policy_no": "PICC-2024-030101", "insurance_expires_on": "2024-08-31"}),
            to_active(),
        ),
        (
            61,
            json!({
                "kind": "student_internship", "enterprise_id": id(HUAJIAN5), "school_id": id(CENTRE),
                "participant": {"name": "王芳", "student_no": "2022040207", "national_id": "371526200511080041", "phone": "13912345678",
                                "enrolled_on": "2022-09-01"},
                "program": "2022级数控班岗位实习", "major": "数控技术应用", "position": "质检员", "site": "华建五分厂",
                "start_date": "2023-09-01", "end_date": "2024-02-29", "hours_per_week": 40,
                "agreement_signed_on": "2023-08-25", "insurance_policy_no": "PICC-2023-090102",
                "insurance_expires_on": "2024-02-29"}),
            vec![(Submitted, None), (Active, None), (Completed, None)],
        ),
        (
            62,
            json!({
                "kind": "teacher_practice", "enterprise_id": id(HUAJIAN5), "school_id": id(CENTRE),
                "participant": {"name": "刘志强", "national_id": "371526198504120033", "phone": "13712345678"},
                "program": "教师入企实践", "major": "数控技术应用", "site": "华建五分厂",
                "start_date": "2024-03-01", "end_date": "2024-08-31", "hours_per_week": 40}),
            to_active(),
        ),
        (
            63,
            json!({
                "kind": "modern_apprenticeship", "enterprise_id": id(HUALV), "school_id": id(CENTRE),
                "participant": {"name": "赵静", "student_no": "2023050301", "birth_date": "2007-09-01", "enrolled_on": "2023-09-01"},
                "demand_id": id(NEW_MEDIA), "base_id": id(HUALV_SCHOOL),
                "program": "华铝家居厂中校试点", "major": "新媒体营销", "position": "新媒体运营学徒", "site": "华铝家居厂中校",
                "start_date": "2024-04-08", "end_date": "2025-07-10", "hours_per_week": 30, "night_shift": true,
                "agreement_signed_on": "2024-03-28", "insurance_policy_no": "PICC-2024-040803",
                "insurance_expires_on": "2025-07-10"}),
            to_active(),
        ),
        (
            64,
            json!({
                "kind": "order_class", "enterprise_id": id(CHENTAI), "school_id": id(CENTRE),
                "demand_id": id(WELDING_ORDER_CLASS),
                "participant": {"name": "陈磊", "student_no": "2023040115", "national_id": "371526200709010065"},
                "program": "辰泰重钢焊接订单班", "major": "焊接技术应用", "position": "焊工", "site": "辰泰重钢焊接实训车间",
                "enterprise_mentor": "周师傅", "start_date": "2024-09-01", "end_date": "2025-06-30", "hours_per_week": 36,
                "monthly_stipend_fen": 200000}),
            vec![(Submitted, None)],
        ),
        (
            65,
            json!({
                "kind": "order_class", "enterprise_id": id(CHENTAI), "school_id": id(CENTRE),
                "demand_id": id(WELDING_ORDER_CLASS),
                "participant": {"name": "杨洋", "student_no": "2023040118", "birth_date": "2007-05-12"},
                "program": "辰泰重钢焊接订单班", "major": "焊接技术应用", "position": "焊工",
                "start_date": "2024-09-01", "end_date": "2025-06-30", "hours_per_week": 36}),
            Vec::new(),
        ),
        (
            66,
            json!({
                "kind": "worker_training", "enterprise_id": id(CHENTAI),
                "demand_id": id(WELDING_TRAINING), "base_id": id(CHENTAI_BASE),
                "participant": {"name": "黄勇", "national_id": "371526199006200019"},
                "program": "职工焊接技能提升培训", "position": "焊工", "site": "辰泰重钢焊接实训车间",
                "start_date": "2024-04-01", "end_date": "2024-06-30", "hours_per_week": 8, "hazardous": true}),
            vec![(Submitted, None), (Active, None)],
        ),
        (
            67,
            json!({
                "kind": "worker_training", "enterprise_id": id(YILI),
                "base_id": id(YILI_BASE), "participant": {"name": "吴军"},
                "program": "产业工人数字素养提升培训", "site": "伊利乳业培训基地",
                "start_date": "2024-05-06", "end_date": "2024-05-31", "hours_per_week": 12}),
            vec![(Submitted, None), (Cancelled, Some("培训计划调整，并入下一期"))],
        ),
        (
            68,
            json!({
                "kind": "observation_internship", "enterprise_id": id(HUAJIAN_PARK), "school_id": id(CENTRE),
                "base_id": id(HUAJIAN_SCHOOL),
                "participant": {"name": "周娜", "student_no": "2023060210", "birth_date": "2008-01-15", "enrolled_on": "2023-09-01"},
                "program": "多媒体实验室跟岗实习", "major": "计算机应用", "site": "华建科技园厂中校多媒体实验室",
                "start_date": "2024-04-15", "end_date": "2024-05-15", "hours_per_week": 30,
                "agreement_signed_on": "2024-04-10", "insurance_policy_no": "PICC-2024-041508",
                "insurance_expires_on": "2024-04-30"}),
            to_active(),
        ),
        (
            69,
            json!({
                "kind": "teacher_practice", "enterprise_id": id(HUAJIAN5), "school_id": id(CENTRE),
                "participant": {"name": "刘志强", "national_id": "371526198504120033", "phone": "13712345678"},
                "program": "教师入企实践（暑期）", "major": "数控技术应用", "site": "华建五分厂",
                "start_date": "2021-07-01", "end_date": "2021-08-31", "hours_per_week": 40}),
            vec![(Submitted, None), (Active, None), (Completed, None)],
        ),
        (
            70,
            json!({
                "kind": "teacher_practice", "enterprise_id": id(HUAJIAN5), "school_id": id(CENTRE),
                "participant": {"name": "孙丽", "phone": "13612345678"},
                "program": "教师入企实践（暑期）", "major": "电子商务", "site": "华建五分厂",
                "start_date": "2023-07-10", "end_date": "2023-08-20", "hours_per_week": 40}),
            vec![(Submitted, None), (Active, None), (Completed, None)],
        ),
        (
            71,
            json!({
                "kind": "student_internship", "enterprise_id": id(HUAJIAN5), "school_id": id(CENTRE),
                "participant": {"name": "孙浩", "student_no": "2023040126", "birth_date": "2007-06-20", "enrolled_on": "2023-09-01"},
                "program": "2023级数控班岗位实习", "major": "数控技术应用", "position": "质检员", "site": "华建五分厂",
                "enterprise_mentor": "王建国", "school_supervisor": "谭刚", "start_date": "2024-03-11", "end_date": "2024-09-10",
                "hours_per_week": 40, "monthly_stipend_fen": 260000, "agreement_signed_on": "2024-03-05",
                "insurance_policy_no": "PICC-2024-031107", "insurance_expires_on": "2024-09-10"}),
            to_active(),
        ),
    ]
}

/// The demand list the survey of enterprises made (问需于企).
fn demands() -> Vec<(u16, Value)> {
    vec![
        (
            WELDING_ORDER_CLASS,
            json!({
                "enterprise_id": id(CHENTAI), "kind": "order_class", "title": "辰泰重钢焊接订单班",
                "description": "每年订单培养焊工30名，企业提供实训车间、师傅和岗位，毕业即上岗。",
                "majors": [{"code": "660301", "name": "焊接技术应用"}], "headcount": 30, "needed_by": "2025-07-01",
                "status": "in_progress", "source": "survey", "tags": ["一企一策", "订单班"]}),
        ),
        (
            WELDING_TRAINING,
            json!({
                "enterprise_id": id(CHENTAI), "kind": "training", "title": "职工焊接技能提升培训",
                "description": "在岗焊工分批轮训，结合技能大比武检验培训成效。",
                "majors": [{"code": "660301", "name": "焊接技术应用"}], "headcount": 60, "needed_by": "2024-12-31",
                "source": "survey", "tags": ["职工培训"]}),
        ),
        (
            NEW_MEDIA,
            json!({
                "enterprise_id": id(HUALV), "kind": "positions", "title": "新媒体营销人才",
                "description": "家居产品直播与短视频运营岗位，依托厂中校试点培养。",
                "majors": [{"name": "新媒体营销"}, {"code": "730701", "name": "电子商务"}], "headcount": 10,
                "needed_by": "2025-03-01", "source": "meeting", "meeting_id": id(MEETING), "tags": ["厂中校"]}),
        ),
        (
            DIGITAL_SKILLS,
            json!({
                "enterprise_id": id(YILI), "kind": "training", "title": "产业工人数字素养与技能提升",
                "description": "生产线工人数字化设备操作与数据素养培训。",
                "majors": [{"code": "710201", "name": "计算机应用"}], "headcount": 200, "needed_by": "2024-12-31",
                "source": "survey", "tags": ["数字素养"]}),
        ),
    ]
}

/// The bases the report names.
fn bases() -> Vec<(u16, Value)> {
    vec![
        (
            CHENTAI_BASE,
            json!({
                "name": "辰泰重钢创新服务基地", "kind": "innovation_service", "enterprise_id": id(CHENTAI),
                "established_on": "2023-06-01", "capacity": 80, "majors": [{"code": "660301", "name": "焊接技术应用"}],
                "address": "辰泰重钢焊接实训车间", "description": "职工焊接技能培训和学生技能大比武的场地。", "tags": ["产教融合基地"]}),
        ),
        (
            YILI_BASE,
            json!({
                "name": "伊利乳业数字素养培训基地", "kind": "skills_training", "enterprise_id": id(YILI),
                "established_on": "2023-09-01", "capacity": 120, "description": "产业工人数字素养与技能提升培训基地。"}),
        ),
        (
            BAOLONGDA_BASE,
            json!({
                "name": "宝龙达产学研基地", "kind": "industry_research", "enterprise_id": id(BAOLONGDA),
                "status": "building", "description": "电子信息方向的校企联合研发。"}),
        ),
        (
            HUAJIAN_SCHOOL,
            json!({
                "name": "华建科技园厂中校", "kind": "factory_school", "enterprise_id": id(HUAJIAN_PARK),
                "school_id": id(CENTRE), "established_on": "2023-09-01", "capacity": 60,
                "majors": [{"code": "710201", "name": "计算机应用"}], "description": "多媒体实验室已投入运行。", "tags": ["厂中校"]}),
        ),
        (
            HUALV_SCHOOL,
            json!({
                "name": "华铝家居厂中校", "kind": "factory_school", "enterprise_id": id(HUALV), "school_id": id(CENTRE),
                "established_on": "2024-03-01", "capacity": 40, "majors": [{"name": "新媒体营销"}],
                "description": "厂中校试点，现代学徒制培养新媒体营销人才。", "tags": ["厂中校"]}),
        ),
    ]
}

/// The welding competition the meeting of 2024-04-03 watched.
fn competition() -> Value {
    json!({
        "name": "辰泰重钢职工和学生焊接技能大比武", "skill": "焊接", "level": "enterprise", "held_on": "2024-04-03",
        "host_enterprise_id": id(CHENTAI), "base_id": id(CHENTAI_BASE),
        "description": "订单班学生与企业职工同台比武，县产教融合发展联盟调度推进会现场观摩。",
        "entries": [
            {"name": "黄勇", "role": "worker", "enterprise_id": id(CHENTAI), "apprenticeship_id": id(66),
             "score": 93.5, "rank": 1, "award": "gold"},
            {"name": "陈磊", "role": "student", "school_id": id(CENTRE), "apprenticeship_id": id(64),
             "score": 91.25, "rank": 2, "award": "silver"},
            {"name": "杨洋", "role": "student", "school_id": id(CENTRE), "apprenticeship_id": id(65),
             "score": 88, "rank": 3, "award": "bronze"},
            {"name": "周师傅", "role": "worker", "enterprise_id": id(CHENTAI), "score": 85.5, "rank": 4, "award": "merit"}]})
}

fn coordination_meeting() -> Value {
    json!({
        "title": "全县产教融合发展联盟调度推进工作会议", "kind": "coordination", "held_on": "2024-04-03",
        "location": "辰泰重钢会议室", "host_enterprise_id": id(CHENTAI),
        "chair": {"name": "张学", "title": "县教体局党组书记、局长"},
        "summary": "与会人员观摩了联盟办公室、华铝家居厂中校试点、华建五分厂学生岗位实习和教师入企实践、辰泰重钢职工焊接技能培训和学生技能大比武，随后在辰泰重钢会议室召开座谈会。",
        "attendees": [
            {"name": "张学", "title": "县教体局党组书记、局长", "organization": "县教体局", "role": "chair"},
            {"name": "周发家", "title": "县委常委、副县长", "organization": "县人民政府", "role": "speaker"},
            {"name": "吴维斌", "title": "县促进会执行会长、县产教融合发展联盟理事长", "organization": "县促进会", "role": "reporter"},
            {"name": "蒋发永", "title": "党组书记", "organization": "县职教中心", "school_id": id(CENTRE), "role": "attendee"},
            {"name": "谭刚", "title": "校长", "organization": "县职教中心", "school_id": id(CENTRE), "role": "attendee"},
            {"name": "华铝家居负责人", "organization": "华铝家居", "enterprise_id": id(HUALV), "role": "speaker"},
            {"name": "辰泰重钢负责人", "organization": "辰泰重钢", "enterprise_id": id(CHENTAI), "role": "speaker"},
            {"name": "联盟理事单位负责人", "role": "attendee"}],
        "agenda": [
            {"kind": "visit", "title": "观摩联盟办公室"},
            {"kind": "visit", "title": "观摩华铝家居厂中校试点", "enterprise_id": id(HUALV)},
            {"kind": "visit", "title": "观摩华建五分厂学生岗位实习和教师入企实践", "enterprise_id": id(HUAJIAN5)},
            {"kind": "visit", "title": "观摩辰泰重钢职工焊接技能培训和学生技能大比武", "enterprise_id": id(CHENTAI)},
            {"kind": "report", "title": "联盟工作汇报", "notes": "吴维斌汇报联盟工作"},
            {"kind": "speech", "title": "企业代表发言", "enterprise_id": id(HUALV), "notes": "华铝家居、辰泰重钢发言"},
            {"kind": "speech", "title": "副县长讲话", "notes": "周发家提出四点要求"}],
        "decisions": [
            {"text": "以企业需求为目标，一企一策，推动校企精准对接"},
            {"text": "加大校企共建宣传力度，营造产教融合良好氛围"},
            {"text": "深化职业学校管理、培养和合作模式改革"},
            {"text": "面向全县推开：开展全县企业调查，制定长远规划，搭建校企合作平台"}],
        "action_items": [
            {"description": "开展全县企业用工和人才需求调查，形成需求清单", "owner_school_id": id(CENTRE),
             "owner_name": "县职教中心", "due_on": "2024-06-30", "status": "done", "done_on": "2024-06-20"},
            {"description": "制定全县产教融合长远发展规划", "owner_name": "县教体局", "due_on": "2024-12-31",
             "status": "in_progress"},
            {"description": "搭建校企合作信息平台", "owner_enterprise_id": id(CHENTAI), "owner_name": "辰泰重钢",
             "due_on": "2025-03-31"}],
        "tags": ["产教融合", "调度推进会"]})
}

/// The centre's supervision visits: 李明 at 华建五分厂 within the month
/// before 2024-05-06; the new intern there in March, longer ago than the 30
/// days (`no_recent_visit`, like the placements nobody visited).
fn visits() -> Vec<(u16, Value)> {
    vec![
        (
            VISIT_LI_MING,
            json!({"apprenticeship_id": id(60), "visited_on": "2024-04-22", "visitor_name": "谭刚", "kind": "on_site",
                   "findings": "岗位与专业对口，实习协议、保险齐全；提醒企业按月足额发放实习报酬。",
                   "follow_up_due_on": "2024-05-20"}),
        ),
        (
            VISIT_NEW_INTERN,
            json!({"apprenticeship_id": id(71), "visited_on": "2024-03-18", "visitor_name": "谭刚", "kind": "phone",
                   "findings": "电话回访实习学生及企业师傅，了解岗位适应情况。"}),
        ),
    ]
}

/// A serious injury of 李明 at 华建五分厂 on 2024-04-28, with an insurance
/// claim, not reported to the education bureau (`incident_unreported` on 2024-05-06).
fn incident() -> Value {
    json!({"apprenticeship_id": id(60), "occurred_on": "2024-04-28", "kind": "injury", "severity": "serious",
           "description": "装配时左手食指被夹伤，送县人民医院缝合，休息一周。", "insurance_claim_no": "PICC-CLAIM-2024-0428"})
}
