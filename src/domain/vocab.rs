//! The closed vocabularies of the API (scales, membership statuses, school
//! kinds, roles, audit actions…): one enum each, which is the JSON value
//! (`snake_case`), the documented enum and the stored column (a sea-orm
//! active enum stored as the same text). A stored text that is no value
//! of its vocabulary is an error when it is read, never a silent default.

use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What every vocabulary offers generic code: its value as text.
pub trait Vocabulary: Copy {
    /// The value as written in JSON and stored in the database.
    fn as_str(self) -> &'static str;
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident $(default $default:ident)? {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum,
        )]
        #[serde(rename_all = "snake_case")]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the documented order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in JSON and stored in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Reads a value written by [`Self::as_str`].
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl Vocabulary for $name {
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        $(
            impl Default for $name {
                fn default() -> Self {
                    $name::$default
                }
            }
        )?
    };
}

vocabulary! {
    /// The size of an enterprise.
    Scale {
        /// 微型
        Micro => "micro",
        /// 小型
        Small => "small",
        /// 中型
        Medium => "medium",
        /// 大型
        Large => "large",
    }
}

vocabulary! {
    /// Where a member unit stands with the alliance.
    MembershipStatus default None {
        /// Not a member (the default).
        None => "none",
        /// Has applied to join.
        Applicant => "applicant",
        /// A member unit.
        Member => "member",
        /// A member of the alliance council (理事单位).
        CouncilMember => "council_member",
        /// Membership suspended.
        Suspended => "suspended",
        /// Has left the alliance.
        Withdrawn => "withdrawn",
    }
}

vocabulary! {
    /// The kind of a school.
    SchoolKind {
        /// 中等职业学校
        SecondaryVocational => "secondary_vocational",
        /// 高等职业学校
        HigherVocational => "higher_vocational",
        /// 技工院校
        TechnicianCollege => "technician_college",
        /// 本科院校
        Undergraduate => "undergraduate",
        /// 培训中心
        TrainingCenter => "training_center",
        /// Anything else.
        Other => "other",
    }
}

vocabulary! {
    /// What a user may do; see the role table in the README.
    Role {
        /// The alliance secretariat: everything.
        Admin => "admin",
        /// County government: reads everything but users; writes enterprises, schools, meetings.
        Officer => "officer",
        /// Staff of one school (`school_id`).
        School => "school",
        /// Staff of one enterprise (`enterprise_id`).
        Enterprise => "enterprise",
        /// Read-only portals and integrations.
        Viewer => "viewer",
    }
}

vocabulary! {
    /// The kind of a placement.
    ApprenticeshipKind {
        /// 岗位实习: a student works a real post, usually about six months.
        StudentInternship => "student_internship",
        /// 认识实习 / 跟岗实习: a shorter internship, observing or shadowing.
        ObservationInternship => "observation_internship",
        /// 现代学徒制: school and enterprise co-train an apprentice.
        ModernApprenticeship => "modern_apprenticeship",
        /// 订单班: a class trained to an enterprise's order.
        OrderClass => "order_class",
        /// 教师入企实践: a teacher works in an enterprise.
        TeacherPractice => "teacher_practice",
        /// 职工技能提升培训: an enterprise's employee in training.
        WorkerTraining => "worker_training",
    }
}

vocabulary! {
    /// Who the participant of a placement is; the kind fixes it.
    ParticipantRole {
        /// A student (every student kind).
        Student => "student",
        /// A teacher (`teacher_practice`).
        Teacher => "teacher",
        /// A worker (`worker_training`).
        Worker => "worker",
    }
}

vocabulary! {
    /// Where a placement stands; changed only by transitions.
    ApprenticeshipStatus default Draft {
        /// Being prepared by the school.
        Draft => "draft",
        /// Sent to the host enterprise.
        Submitted => "submitted",
        /// Under way.
        Active => "active",
        /// Paused.
        Suspended => "suspended",
        /// Finished as planned.
        Completed => "completed",
        /// Ended early.
        Terminated => "terminated",
        /// Called off before it began.
        Cancelled => "cancelled",
    }
}

vocabulary! {
    /// The side of a placement that evaluates it.
    EvaluationSide {
        /// The owning school.
        School => "school",
        /// The host enterprise.
        Enterprise => "enterprise",
    }
}

vocabulary! {
    /// What kind of meeting it was.
    MeetingKind {
        /// A coordination meeting (推进会, 协调会).
        Coordination => "coordination",
        /// A council meeting of the alliance (理事会).
        Council => "council",
        /// A symposium (座谈会).
        Symposium => "symposium",
        /// A site visit (观摩, 调研).
        SiteVisit => "site_visit",
        /// A training session.
        Training => "training",
        /// Anything else.
        Other => "other",
    }
}

vocabulary! {
    /// What an attendee did at a meeting.
    AttendeeRole {
        /// Chaired it.
        Chair => "chair",
        /// Spoke.
        Speaker => "speaker",
        /// Reported (a work report).
        Reporter => "reporter",
        /// Attended.
        Attendee => "attendee",
    }
}

vocabulary! {
    /// What an agenda item was.
    AgendaKind {
        /// A visit to a site.
        Visit => "visit",
        /// A report.
        Report => "report",
        /// A speech.
        Speech => "speech",
        /// A discussion.
        Discussion => "discussion",
        /// Anything else.
        Other => "other",
    }
}

vocabulary! {
    /// Where an action item stands.
    ActionItemStatus default Open {
        /// Not started (the default).
        Open => "open",
        /// Being worked on.
        InProgress => "in_progress",
        /// Done.
        Done => "done",
        /// Dropped.
        Cancelled => "cancelled",
    }
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

vocabulary! {
    /// What an audit event records.
    Action {
        /// A record was created.
        Create => "create",
        /// A record was changed.
        Update => "update",
        /// A record was deleted.
        Delete => "delete",
        /// A placement changed status.
        Transition => "transition",
        /// A placement was evaluated.
        Evaluate => "evaluate",
        /// Someone logged in.
        Login => "login",
        /// A login failed.
        LoginFailed => "login_failed",
        /// A refresh token was exchanged.
        Refresh => "refresh",
        /// A refresh token was revoked.
        Revoke => "revoke",
        /// A request was refused (401 or 403).
        Denied => "denied",
    }
}

vocabulary! {
    /// The kind of record an audit event concerns.
    ResourceType {
        /// An enterprise.
        Enterprise => "enterprise",
        /// A school.
        School => "school",
        /// A placement.
        Apprenticeship => "apprenticeship",
        /// A meeting.
        Meeting => "meeting",
        /// A meeting's action item.
        ActionItem => "action_item",
        /// A user account.
        User => "user",
        /// Tokens and logins (and what is not one of the others).
        Token => "token",
        /// An enterprise's demand.
        Demand => "demand",
        /// A training base.
        Base => "base",
        /// A skills competition.
        Competition => "competition",
        /// A webhook.
        Webhook => "webhook",
    }
}

vocabulary! {
    /// What an enterprise asked of the alliance.
    DemandKind {
        /// 岗位用人: people for posts.
        Positions => "positions",
        /// 员工培训: training of its workers.
        Training => "training",
        /// 订单培养: an order class trained for it.
        OrderClass => "order_class",
        /// 共建课程: a course built together.
        Course => "course",
        /// 企业文化进校园: its culture brought into a school.
        Culture => "culture",
        /// 厂中校 / 校中厂: a factory-school or a school-factory.
        FactorySchool => "factory_school",
        /// 产学研: research with a school.
        Research => "research",
        /// Something else.
        Other => "other",
    }
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

vocabulary! {
    /// Where a demand stands; `fulfilled` and `withdrawn` are final.
    DemandStatus default Open {
        /// Waiting for an answer (the default).
        Open => "open",
        /// Being answered.
        InProgress => "in_progress",
        /// Answered (final).
        Fulfilled => "fulfilled",
        /// Taken back by the enterprise (final).
        Withdrawn => "withdrawn",
    }
}

impl DemandStatus {
    /// Whether a demand in this status stays in it.
    pub fn is_final(self) -> bool {
        matches!(self, DemandStatus::Fulfilled | DemandStatus::Withdrawn)
    }
}

vocabulary! {
    /// Where the alliance learnt of a demand.
    DemandSource {
        /// The survey of enterprises (问需于企).
        Survey => "survey",
        /// A meeting (name it in `meeting_id`).
        Meeting => "meeting",
        /// A visit.
        Visit => "visit",
        /// Elsewhere.
        Other => "other",
    }
}

vocabulary! {
    /// What a training base is.
    BaseKind {
        /// 创新服务基地: an innovation service base.
        InnovationService => "innovation_service",
        /// 技能培训基地: a skills training base.
        SkillsTraining => "skills_training",
        /// 产学研基地: an industry–research base.
        IndustryResearch => "industry_research",
        /// 厂中校: a school inside a factory (host enterprise and partner school).
        FactorySchool => "factory_school",
        /// 校中厂: a factory inside a school (partner school; the enterprise is optional).
        SchoolFactory => "school_factory",
        /// Something else.
        Other => "other",
    }
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

vocabulary! {
    /// Where a training base stands.
    BaseStatus default Operating {
        /// Planned.
        Planned => "planned",
        /// Being built.
        Building => "building",
        /// In use (the default).
        Operating => "operating",
        /// Out of use for a while.
        Suspended => "suspended",
        /// Closed.
        Closed => "closed",
    }
}

vocabulary! {
    /// The level a competition is held at.
    CompetitionLevel {
        /// Within an enterprise.
        Enterprise => "enterprise",
        /// County.
        County => "county",
        /// City.
        City => "city",
        /// Province.
        Province => "province",
        /// National.
        National => "national",
    }
}

vocabulary! {
    /// What an entry of a competition won.
    Award {
        /// 金奖 / 一等奖.
        Gold => "gold",
        /// 银奖 / 二等奖.
        Silver => "silver",
        /// 铜奖 / 三等奖.
        Bronze => "bronze",
        /// 优秀奖.
        Merit => "merit",
        /// No award.
        None => "none",
    }
}

vocabulary! {
    /// How an audited action ended.
    Outcome {
        /// It was done.
        Success => "success",
        /// It was refused or failed.
        Failure => "failure",
    }
}

vocabulary! {
    /// The kind of record a change of the feed (`GET /changes`) concerns.
    FeedType {
        /// An enterprise.
        Enterprise => "enterprise",
        /// A school.
        School => "school",
        /// A placement (its transitions and evaluations are its updates).
        Apprenticeship => "apprenticeship",
        /// A meeting (a change of one of its action items is its update).
        Meeting => "meeting",
        /// An enterprise's demand (a change of its `fulfilled_headcount` is its update).
        Demand => "demand",
        /// A training base.
        Base => "base",
        /// A skills competition.
        Competition => "competition",
        /// A user account (admins only).
        User => "user",
    }
}

vocabulary! {
    /// What a change of the feed did to its record.
    ChangeAction {
        /// The record was created (`version` 1).
        Create => "create",
        /// The record changed: a merge patch, a transition, an evaluation, an
        /// action item, a demand's fulfilled headcount (`version` grew).
        Update => "update",
        /// The record was deleted (no `version`).
        Delete => "delete",
    }
}

vocabulary! {
    /// Where a webhook delivery stands.
    DeliveryStatus {
        /// Not yet answered with a 2xx; tried again at `next_attempt_at`.
        Pending => "pending",
        /// A 2xx answered it.
        Delivered => "delivered",
        /// No 2xx within 24 hours of attempts; not tried again.
        Failed => "failed",
    }
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
    }

    #[test]
    fn a_stored_text_outside_the_vocabulary_is_an_error() {
        assert!(Role::try_from_value(&"superuser".to_string()).is_err());
    }
}
