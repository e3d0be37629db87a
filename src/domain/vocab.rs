//! The closed vocabularies of the API (scales, membership statuses, school
//! kinds, roles, audit actions…): one enum each, which is the JSON value
//! (`snake_case`), the documented enum and the stored column (a sea-orm
//! active enum stored as the same text). A stored text that is no value
//! of its vocabulary is an error when it is read, never a silent default.

use chanjiao_derive::Vocabulary;
use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What every vocabulary offers generic code: its values, as text.
///
/// The enums derive it (`#[derive(Vocabulary)]`), which also gives each
/// enum these items as its own (`Scale::ALL`, `Scale::as_str`,
/// `Scale::parse`).
pub trait Vocabulary: Copy + 'static {
    /// Every value, in the documented order.
    const ALL: &'static [Self];

    /// The value as written in JSON and stored in the database.
    fn as_str(self) -> &'static str;

    /// Reads a value written by [`Vocabulary::as_str`].
    fn parse(text: &str) -> Option<Self>;
}

/// The size of an enterprise.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Scale {
    /// 微型
    Micro,
    /// 小型
    Small,
    /// 中型
    Medium,
    /// 大型
    Large,
}

/// Where a member unit stands with the alliance.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[vocabulary(default = None)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Not a member (the default).
    None,
    /// Has applied to join.
    Applicant,
    /// A member unit.
    Member,
    /// A member of the alliance council (理事单位).
    CouncilMember,
    /// Membership suspended.
    Suspended,
    /// Has left the alliance.
    Withdrawn,
}

/// The kind of a school.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum SchoolKind {
    /// 中等职业学校
    SecondaryVocational,
    /// 高等职业学校
    HigherVocational,
    /// 技工院校
    TechnicianCollege,
    /// 本科院校
    Undergraduate,
    /// 培训中心
    TrainingCenter,
    /// Anything else.
    Other,
}

/// What a user may do; see the role table in the README.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Role {
    /// The alliance secretariat: everything.
    Admin,
    /// County government: reads everything but users; writes enterprises, schools, meetings.
    Officer,
    /// Staff of one school (`school_id`).
    School,
    /// Staff of one enterprise (`enterprise_id`).
    Enterprise,
    /// Read-only portals and integrations.
    Viewer,
    /// A student, teacher or worker in placements (`participant_national_id`):
    /// their own placements, check-ins and journals, and the directory.
    Participant,
}

/// The kind of a placement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ApprenticeshipKind {
    /// 岗位实习: a student works a real post, usually about six months.
    StudentInternship,
    /// 认识实习 / 跟岗实习: a shorter internship, observing or shadowing.
    ObservationInternship,
    /// 现代学徒制: school and enterprise co-train an apprentice.
    ModernApprenticeship,
    /// 订单班: a class trained to an enterprise's order.
    OrderClass,
    /// 教师入企实践: a teacher works in an enterprise.
    TeacherPractice,
    /// 职工技能提升培训: an enterprise's employee in training.
    WorkerTraining,
}

/// Who the participant of a placement is; the kind fixes it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ParticipantRole {
    /// A student (every student kind).
    Student,
    /// A teacher (`teacher_practice`).
    Teacher,
    /// A worker (`worker_training`).
    Worker,
}

/// Where a placement stands; changed only by transitions.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[vocabulary(default = Draft)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ApprenticeshipStatus {
    /// Being prepared by the school.
    Draft,
    /// Sent to the host enterprise.
    Submitted,
    /// Under way.
    Active,
    /// Paused.
    Suspended,
    /// Finished as planned.
    Completed,
    /// Ended early.
    Terminated,
    /// Called off before it began.
    Cancelled,
    /// Ended by a transfer to another host enterprise: `transferred_to`
    /// names the placement that goes on there (final).
    Transferred,
}

/// Why a placement was returned, suspended, terminated, cancelled or
/// transferred: a coded reason beside the free-text `reason`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ReasonCode {
    /// The participant asked for it.
    StudentRequest,
    /// The participant's health.
    Health,
    /// The participant's family.
    Family,
    /// The participant's misconduct.
    Misconduct,
    /// A danger to the participant's safety.
    Safety,
    /// The pay or the working conditions.
    PayOrConditions,
    /// The enterprise asked for it.
    EnterpriseRequest,
    /// The enterprise closed (or stopped the work).
    EnterpriseClosed,
    /// The school decided it.
    SchoolDecision,
    /// The participant goes on to further study.
    FurtherStudy,
    /// The participant took a job elsewhere.
    EmploymentElsewhere,
    /// Any other reason (say which in `reason`).
    Other,
}

/// The side of a placement that evaluates it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum EvaluationSide {
    /// The owning school.
    School,
    /// The host enterprise.
    Enterprise,
}

/// What kind of meeting it was.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum MeetingKind {
    /// A coordination meeting (推进会, 协调会).
    Coordination,
    /// A council meeting of the alliance (理事会).
    Council,
    /// A symposium (座谈会).
    Symposium,
    /// A site visit (观摩, 调研).
    SiteVisit,
    /// A training session.
    Training,
    /// Anything else.
    Other,
}

/// What an attendee did at a meeting.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum AttendeeRole {
    /// Chaired it.
    Chair,
    /// Spoke.
    Speaker,
    /// Reported (a work report).
    Reporter,
    /// Attended.
    Attendee,
}

/// What an agenda item was.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum AgendaKind {
    /// A visit to a site.
    Visit,
    /// A report.
    Report,
    /// A speech.
    Speech,
    /// A discussion.
    Discussion,
    /// Anything else.
    Other,
}

/// Where an action item stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[vocabulary(default = Open)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ActionItemStatus {
    /// Not started (the default).
    Open,
    /// Being worked on.
    InProgress,
    /// Done.
    Done,
    /// Dropped.
    Cancelled,
}

impl ActionItemStatus {
    /// The statuses of work still to do: an item in one of them with its
    /// `due_on` before today is overdue.
    pub const PENDING: &'static [ActionItemStatus] = &[ActionItemStatus::Open, ActionItemStatus::InProgress];

    /// Whether the item is still to do.
    pub fn is_pending(self) -> bool {
        Self::PENDING.contains(&self)
    }
}

/// What an audit event records.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Action {
    /// A record was created.
    Create,
    /// A record was changed.
    Update,
    /// A record was deleted.
    Delete,
    /// A placement changed status.
    Transition,
    /// A placement was evaluated.
    Evaluate,
    /// A placement was transferred to another host enterprise (the old
    /// placement's event; the new placement has a `create`).
    Transfer,
    /// A journal was reviewed (approved or returned) by one side.
    Review,
    /// Someone logged in.
    Login,
    /// A login failed.
    LoginFailed,
    /// A refresh token was exchanged.
    Refresh,
    /// A refresh token was revoked.
    Revoke,
    /// A request was refused (401 or 403).
    Denied,
}

/// The kind of record an audit event concerns.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ResourceType {
    /// An enterprise.
    Enterprise,
    /// A school.
    School,
    /// A placement.
    Apprenticeship,
    /// A meeting.
    Meeting,
    /// A meeting's action item.
    ActionItem,
    /// A user account.
    User,
    /// Tokens and logins (and what is not one of the others).
    Token,
    /// An enterprise's demand.
    Demand,
    /// A training base.
    Base,
    /// A skills competition.
    Competition,
    /// A webhook.
    Webhook,
    /// A supervision visit to a placement.
    Visit,
    /// An incident during a placement.
    Incident,
    /// The county's settings of the internship rules.
    ComplianceSettings,
    /// A participant's check-in at the workplace.
    CheckIn,
    /// A participant's weekly journal.
    Journal,
}

/// What an enterprise asked of the alliance.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum DemandKind {
    /// 岗位用人: people for posts.
    Positions,
    /// 员工培训: training of its workers.
    Training,
    /// 订单培养: an order class trained for it.
    OrderClass,
    /// 共建课程: a course built together.
    Course,
    /// 企业文化进校园: its culture brought into a school.
    Culture,
    /// 厂中校 / 校中厂: a factory-school or a school-factory.
    FactorySchool,
    /// 产学研: research with a school.
    Research,
    /// Something else.
    Other,
}

impl DemandKind {
    /// Whether a demand of this kind states how many people it needs.
    pub fn needs_headcount(self) -> bool {
        matches!(
            self,
            DemandKind::Positions | DemandKind::Training | DemandKind::OrderClass
        )
    }
}

/// Where a demand stands; `fulfilled` and `withdrawn` are final.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[vocabulary(default = Open)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum DemandStatus {
    /// Waiting for an answer (the default).
    Open,
    /// Being answered.
    InProgress,
    /// Answered (final).
    Fulfilled,
    /// Taken back by the enterprise (final).
    Withdrawn,
}

impl DemandStatus {
    /// Whether a demand in this status stays in it.
    pub fn is_final(self) -> bool {
        matches!(self, DemandStatus::Fulfilled | DemandStatus::Withdrawn)
    }
}

/// Where the alliance learnt of a demand.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum DemandSource {
    /// The survey of enterprises (问需于企).
    Survey,
    /// A meeting (name it in `meeting_id`).
    Meeting,
    /// A visit.
    Visit,
    /// Elsewhere.
    Other,
}

/// What a training base is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum BaseKind {
    /// 创新服务基地: an innovation service base.
    InnovationService,
    /// 技能培训基地: a skills training base.
    SkillsTraining,
    /// 产学研基地: an industry–research base.
    IndustryResearch,
    /// 厂中校: a school inside a factory (host enterprise and partner school).
    FactorySchool,
    /// 校中厂: a factory inside a school (partner school; the enterprise is optional).
    SchoolFactory,
    /// Something else.
    Other,
}

impl BaseKind {
    /// Whether a base of this kind names its host enterprise.
    pub fn needs_host(self) -> bool {
        self != BaseKind::SchoolFactory
    }

    /// Whether a base of this kind names its partner school.
    pub fn needs_school(self) -> bool {
        matches!(self, BaseKind::FactorySchool | BaseKind::SchoolFactory)
    }
}

/// Where a training base stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[vocabulary(default = Operating)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum BaseStatus {
    /// Planned.
    Planned,
    /// Being built.
    Building,
    /// In use (the default).
    Operating,
    /// Out of use for a while.
    Suspended,
    /// Closed.
    Closed,
}

/// The level a competition is held at.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum CompetitionLevel {
    /// Within an enterprise.
    Enterprise,
    /// County.
    County,
    /// City.
    City,
    /// Province.
    Province,
    /// National.
    National,
}

/// What an entry of a competition won.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Award {
    /// 金奖 / 一等奖.
    Gold,
    /// 银奖 / 二等奖.
    Silver,
    /// 铜奖 / 三等奖.
    Bronze,
    /// 优秀奖.
    Merit,
    /// No award.
    None,
}

/// How an audited action ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Outcome {
    /// It was done.
    Success,
    /// It was refused or failed.
    Failure,
}

/// The kind of record a change of the feed (`GET /changes`) concerns.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum FeedType {
    /// An enterprise.
    Enterprise,
    /// A school.
    School,
    /// A placement (its transitions and evaluations are its updates).
    Apprenticeship,
    /// A meeting (a change of one of its action items is its update).
    Meeting,
    /// An enterprise's demand (a change of its `fulfilled_headcount` is its update).
    Demand,
    /// A training base.
    Base,
    /// A skills competition.
    Competition,
    /// A user account (admins only).
    User,
    /// A supervision visit to a placement (read by whoever reads the placement).
    Visit,
    /// An incident during a placement (read by whoever reads the placement).
    Incident,
    /// The county's settings of the internship rules (one record; every role but a participant reads it).
    ComplianceSettings,
    /// A participant's check-in at the workplace (read by whoever reads the placement).
    CheckIn,
    /// A participant's weekly journal (read by whoever reads the placement).
    Journal,
}

/// A rule of the internship rules that the compliance findings check (see
/// the README's table: what each rests on and where it comes from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema, Vocabulary)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceRule {
    /// A `student_internship` starting less than a year after its participant enrolled.
    FirstYearStudent,
    /// Work forbidden to minors, or heavy labour, by a participant under 18.
    MinorHazardousWork,
    /// A student placement with night work.
    StudentNightShift,
    /// An intern paid below the floor (a share of the post's probation pay, and the county's minimum).
    PayBelowFloor,
    /// More interns at an enterprise than its share of its staff allows.
    InternShareEnterprise,
    /// More interns on a post than its share of the post's staff allows.
    InternSharePost,
    /// An enterprise hosting interns without a `staff_count`.
    StaffCountUnknown,
    /// A student placement whose internship liability insurance has ended.
    InsuranceExpired,
    /// A placement still active or suspended after its `end_date`.
    PastEndDate,
    /// A student placement with no supervision visit in the settings' interval.
    NoRecentVisit,
    /// A student placement with past weeks without a journal.
    JournalMissing,
    /// A week of a student placement's journal with more than 40 hours worked.
    HoursOverLimit,
    /// A serious or major incident not reported to the education bureau.
    IncidentUnreported,
}

/// How grave a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema, Vocabulary)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A breach of the rules.
    Breach,
    /// Something to look into.
    Warning,
}

/// What a change of the feed did to its record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ChangeAction {
    /// The record was created (`version` 1).
    Create,
    /// The record changed: a merge patch, a transition, an evaluation, an
    /// action item, a demand's fulfilled headcount (`version` grew).
    Update,
    /// The record was deleted (no `version`).
    Delete,
}

/// How a supervision visit was made.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[vocabulary(default = OnSite)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum VisitKind {
    /// 实地走访: at the workplace (the default).
    OnSite,
    /// 线上: by video.
    Online,
    /// 电话: by telephone.
    Phone,
}

/// Which of a day's two check-ins: arriving or leaving.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum CheckInKind {
    /// 签到: arrived at the workplace (one a day).
    In,
    /// 签退: left it (one a day, after that day's `in`).
    Out,
}

/// Where a journal stands: `submitted` until reviewed, `returned` for its
/// participant to change (which submits it again), `approved` (final).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[vocabulary(default = Submitted)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum JournalStatus {
    /// 已提交: waiting for the reviews (the default).
    Submitted,
    /// 已退回: returned by a side for the participant to change.
    Returned,
    /// 已通过: approved by both sides (final).
    Approved,
}

/// What a side decided of a journal.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum ReviewDecision {
    /// 通过.
    Approved,
    /// 退回: to be changed (a comment says what).
    Returned,
}

/// What kind of incident happened during a placement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum IncidentKind {
    /// 工伤: an injury.
    Injury,
    /// 疾病: an illness.
    Illness,
    /// 安全事件: a safety event without injury.
    Safety,
    /// 纠纷: a dispute (pay, hours, conditions).
    Dispute,
    /// 缺勤 / 失联: an absence, a participant out of reach.
    Absence,
    /// Something else.
    Other,
}

/// How grave an incident is; `serious` and `major` ones are reported to the bureau.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum IncidentSeverity {
    /// 一般: minor.
    Minor,
    /// 较重: serious.
    Serious,
    /// 重大: major.
    Major,
}

/// Where a webhook delivery stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum, Vocabulary,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not yet answered with a 2xx; tried again at `next_attempt_at`.
    Pending,
    /// A 2xx answered it.
    Delivered,
    /// No 2xx within 24 hours of attempts; not tried again.
    Failed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ActiveEnum;

    fn round_trips<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + ActiveEnum<Value = String>,
    {
        for v in all {
            assert_eq!(parse(as_str(*v)), Some(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), as_str(*v));
            assert_eq!(v.to_value(), as_str(*v));
            assert_eq!(T::try_from_value(&as_str(*v).to_string()).unwrap(), *v);
        }
    }

    #[test]
    fn every_value_is_the_same_text_in_json_in_the_database_and_in_as_str() {
        round_trips(MembershipStatus::ALL, MembershipStatus::as_str, MembershipStatus::parse);
        round_trips(SchoolKind::ALL, SchoolKind::as_str, SchoolKind::parse);
        round_trips(Scale::ALL, Scale::as_str, Scale::parse);
        round_trips(MeetingKind::ALL, MeetingKind::as_str, MeetingKind::parse);
        round_trips(AttendeeRole::ALL, AttendeeRole::as_str, AttendeeRole::parse);
        round_trips(AgendaKind::ALL, AgendaKind::as_str, AgendaKind::parse);
        round_trips(ActionItemStatus::ALL, ActionItemStatus::as_str, ActionItemStatus::parse);
        round_trips(Role::ALL, Role::as_str, Role::parse);
        round_trips(Action::ALL, Action::as_str, Action::parse);
        round_trips(ResourceType::ALL, ResourceType::as_str, ResourceType::parse);
        round_trips(Outcome::ALL, Outcome::as_str, Outcome::parse);
        round_trips(
            ApprenticeshipKind::ALL,
            ApprenticeshipKind::as_str,
            ApprenticeshipKind::parse,
        );
        round_trips(ParticipantRole::ALL, ParticipantRole::as_str, ParticipantRole::parse);
        round_trips(
            ApprenticeshipStatus::ALL,
            ApprenticeshipStatus::as_str,
            ApprenticeshipStatus::parse,
        );
        round_trips(EvaluationSide::ALL, EvaluationSide::as_str, EvaluationSide::parse);
        round_trips(ReasonCode::ALL, ReasonCode::as_str, ReasonCode::parse);
        round_trips(DemandKind::ALL, DemandKind::as_str, DemandKind::parse);
        round_trips(DemandStatus::ALL, DemandStatus::as_str, DemandStatus::parse);
        round_trips(DemandSource::ALL, DemandSource::as_str, DemandSource::parse);
        round_trips(BaseKind::ALL, BaseKind::as_str, BaseKind::parse);
        round_trips(BaseStatus::ALL, BaseStatus::as_str, BaseStatus::parse);
        round_trips(CompetitionLevel::ALL, CompetitionLevel::as_str, CompetitionLevel::parse);
        round_trips(Award::ALL, Award::as_str, Award::parse);
        round_trips(FeedType::ALL, FeedType::as_str, FeedType::parse);
        round_trips(ChangeAction::ALL, ChangeAction::as_str, ChangeAction::parse);
        round_trips(DeliveryStatus::ALL, DeliveryStatus::as_str, DeliveryStatus::parse);
        round_trips(VisitKind::ALL, VisitKind::as_str, VisitKind::parse);
        round_trips(CheckInKind::ALL, CheckInKind::as_str, CheckInKind::parse);
        round_trips(JournalStatus::ALL, JournalStatus::as_str, JournalStatus::parse);
        round_trips(ReviewDecision::ALL, ReviewDecision::as_str, ReviewDecision::parse);
        round_trips(IncidentKind::ALL, IncidentKind::as_str, IncidentKind::parse);
        round_trips(IncidentSeverity::ALL, IncidentSeverity::as_str, IncidentSeverity::parse);
    }

    #[test]
    fn a_stored_text_outside_the_vocabulary_is_an_error() {
        assert!(Role::try_from_value(&"superuser".to_string()).is_err());
    }
}
