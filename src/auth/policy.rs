//! The role table of the contract, in one place. Handlers call these
//! checks before anything else; services call the field checks with the
//! record before and after a change. A refusal is a 403 (naming the fields
//! a role may not change), or a 404 where the record may not even be seen.

use uuid::Uuid;

use super::Principal;
use crate::domain::placement::Sides;
use crate::domain::vocab::{EvaluationSide, FeedType, Role};
use crate::error::{ApiError, FieldError};
use crate::model::meeting::ActionItem;

/// What a caller wants to do with a record or a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// GET.
    Read,
    /// POST to the collection.
    Create,
    /// PATCH.
    Update,
    /// DELETE.
    Delete,
}

/// How far a role reaches with one kind of access to a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Not at all: 403.
    No,
    /// The records of the caller's own organisation (see [`Policy::owners`]):
    /// another's is a 404 to a reader, a 403 to a writer who may read it.
    Own,
    /// Every record.
    All,
}

/// What one role may do with a collection: read (list and get), create,
/// update (merge-patch) and delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rights {
    /// GET of the list and of one record.
    pub read: Reach,
    /// POST to the collection.
    pub create: Reach,
    /// PATCH of a record.
    pub update: Reach,
    /// DELETE of a record.
    pub delete: Reach,
}

impl Rights {
    /// Everything on every record.
    pub const ALL: Rights = Rights {
        read: Reach::All,
        create: Reach::All,
        update: Reach::All,
        delete: Reach::All,
    };
    /// Reading every record, nothing else.
    pub const READ: Rights = Rights {
        read: Reach::All,
        create: Reach::No,
        update: Reach::No,
        delete: Reach::No,
    };
    /// Reading every record and changing those of the caller's own organisation.
    pub const UPDATE_OWN: Rights = Rights {
        update: Reach::Own,
        ..Rights::READ
    };
    /// Reading and changing every record, creating and deleting none.
    pub const UPDATE_ALL: Rights = Rights {
        update: Reach::All,
        ..Rights::READ
    };
    /// Nothing at all.
    pub const NONE: Rights = Rights {
        read: Reach::No,
        create: Reach::No,
        update: Reach::No,
        delete: Reach::No,
    };

    fn reach(self, access: Access) -> Reach {
        match access {
            Access::Read => self.read,
            Access::Create => self.create,
            Access::Update => self.update,
            Access::Delete => self.delete,
        }
    }
}

/// A collection's access policy, the contract's Roles table for it in one
/// place: what each role may do, which records are an organisation's own,
/// and the fields a role may not change. The shared service code applies
/// it in one order for every collection: the role's right (403), the body
/// (422), the record among those the caller reads (404), among those it
/// writes (403), `If-Match` (412), the fields it may not change (403 naming
/// each), the rules between fields and the records named (422).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// The collection, plural, for refusals (`bases`: "your role may not create bases").
    pub plural: &'static str,
    /// One record, for refusals (`base`: "… may not change this base, which is another organisation's").
    pub singular: &'static str,
    /// An admin's rights.
    pub admin: Rights,
    /// An education bureau officer's rights.
    pub officer: Rights,
    /// A school user's rights.
    pub school: Rights,
    /// An enterprise user's rights.
    pub enterprise: Rights,
    /// A viewer's rights.
    pub viewer: Rights,
    /// A participant's rights ([`Reach::Own`]: the records of its own
    /// placements, by [`Owners::participant`]).
    pub participant: Rights,
    /// The columns that name a record's school, its enterprise and its
    /// participant: what [`Reach::Own`] means for each role that has one.
    pub owners: Owners,
    /// The fields each role may not change of a record it may change (403
    /// naming each it changes; sending the current value is fine).
    pub fixed: &'static [(Role, &'static [&'static str])],
}

/// The columns that name a record's organisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owners {
    /// The column of the school it belongs to, if any.
    pub school: Option<&'static str>,
    /// The column of the enterprise it belongs to, if any.
    pub enterprise: Option<&'static str>,
    /// How a record names the participant it is about, if it does.
    pub participant: Option<ParticipantColumn>,
}

impl Owners {
    /// No organisation owns the records.
    pub const NONE: Owners = Owners {
        school: None,
        enterprise: None,
        participant: None,
    };
}

/// How a record names its participant: a placement by its own
/// `participant_key` (the upper-cased resident ID), a record about a
/// placement by the column naming that placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantColumn {
    /// This column holds the participant's key.
    Key(&'static str),
    /// This column names the placement, whose `participant_key` holds it.
    Placement(&'static str),
}

/// The records a caller reaches with one kind of access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every record.
    All,
    /// The records whose `column` names the organisation `org`.
    Owned {
        /// The column that names the organisation.
        column: &'static str,
        /// The caller's organisation.
        org: Uuid,
    },
    /// The records about the participant whose key is `key` (see
    /// [`ParticipantColumn`]).
    Participant {
        /// How the records name the participant.
        column: ParticipantColumn,
        /// The participant's key: the upper-cased resident ID.
        key: std::sync::Arc<str>,
    },
    /// None (an organisation's user without an organisation).
    Nothing,
}

impl Policy {
    /// The policy of a collection that admins and officers write and every
    /// role reads, whose records no organisation owns.
    pub const fn staff_writes(plural: &'static str, singular: &'static str) -> Policy {
        Policy {
            plural,
            singular,
            admin: Rights::ALL,
            officer: Rights::ALL,
            school: Rights::READ,
            enterprise: Rights::READ,
            viewer: Rights::READ,
            participant: Rights::READ,
            owners: Owners::NONE,
            fixed: &[],
        }
    }

    /// The rights of the caller's role.
    pub fn rights(&self, caller: &Principal) -> Rights {
        match caller.role {
            Role::Admin => self.admin,
            Role::Officer => self.officer,
            Role::School => self.school,
            Role::Enterprise => self.enterprise,
            Role::Viewer => self.viewer,
            Role::Participant => self.participant,
        }
    }

    /// The records the caller reaches with `access`, or the 403 of a role
    /// that may not do it at all.
    pub fn scope(&self, caller: &Principal, access: Access) -> Result<Scope, ApiError> {
        match self.rights(caller).reach(access) {
            Reach::All => Ok(Scope::All),
            Reach::No => Err(deny(&format!(
                "{} {}",
                match access {
                    Access::Read => "see",
                    Access::Create => "create",
                    Access::Update => "change",
                    Access::Delete => "delete",
                },
                self.plural
            ))),
            Reach::Own if caller.role == Role::Participant => {
                Ok(match (self.owners.participant, &caller.participant) {
                    (Some(column), Some(key)) => Scope::Participant {
                        column,
                        key: key.clone(),
                    },
                    _ => Scope::Nothing,
                })
            }
            Reach::Own => {
                let column = match caller.role {
                    Role::School => self.owners.school,
                    Role::Enterprise => self.owners.enterprise,
                    _ => None,
                };
                Ok(match (column, caller.org) {
                    (Some(column), Some(org)) => Scope::Owned { column, org },
                    _ => Scope::Nothing,
                })
            }
        }
    }

    /// Whether a record whose `column` names the organisations `named`
    /// (`named(column)`) is in `scope`, else the 403 of a writer that reads it.
    pub fn check_in(&self, scope: Scope, named: impl Fn(&str) -> Option<Uuid>) -> Result<(), ApiError> {
        let inside = match scope {
            Scope::All => true,
            Scope::Owned { column, org } => named(column) == Some(org),
            Scope::Participant { .. } | Scope::Nothing => false,
        };
        if inside {
            Ok(())
        } else {
            Err(deny(&format!(
                "change this {}, which is another organisation's",
                self.singular
            )))
        }
    }

    /// The 403 naming each field `changed` says the caller's role may not change.
    pub fn check_fixed(&self, caller: &Principal, changed: impl Fn(&str) -> bool) -> Result<(), ApiError> {
        let fixed = self
            .fixed
            .iter()
            .filter(|(role, _)| *role == caller.role)
            .flat_map(|(_, fields)| fields.iter());
        let flags: Vec<(&str, bool)> = fixed.map(|field| (*field, changed(field))).collect();
        unchanged(&flags)
    }

    /// The 403 naming each organisation field of a new record that names
    /// another organisation than the caller's own, when its role creates
    /// only its own organisation's records.
    pub fn check_new(&self, scope: Scope, named: impl Fn(&str) -> Option<Uuid>) -> Result<(), ApiError> {
        match scope {
            Scope::All => Ok(()),
            Scope::Owned { column, org } => unchanged(&[(column, named(column) != Some(org))]),
            Scope::Participant { .. } | Scope::Nothing => Err(deny(&format!("create {}", self.plural))),
        }
    }
}

/// Training bases: admin and officer CRUD; everyone reads; the users of a
/// base's host enterprise and partner school change it, but not its kind
/// or its parties.
pub const BASES: Policy = Policy {
    plural: "bases",
    singular: "base",
    admin: Rights::ALL,
    officer: Rights::ALL,
    school: Rights::UPDATE_OWN,
    enterprise: Rights::UPDATE_OWN,
    viewer: Rights::READ,
    participant: Rights::READ,
    owners: Owners {
        school: Some("school_id"),
        enterprise: Some("enterprise_id"),
        participant: None,
    },
    fixed: &[
        (Role::School, &["kind", "enterprise_id", "school_id"]),
        (Role::Enterprise, &["kind", "enterprise_id", "school_id"]),
    ],
};

/// The admin only, for every operation; everyone else a 403.
const ADMIN_ONLY: Policy = Policy {
    plural: "",
    singular: "",
    admin: Rights::ALL,
    officer: Rights::NONE,
    school: Rights::NONE,
    enterprise: Rights::NONE,
    viewer: Rights::NONE,
    participant: Rights::NONE,
    owners: Owners::NONE,
    fixed: &[],
};

/// Users: the admin only, for every operation.
pub const USERS: Policy = Policy {
    plural: "users",
    singular: "user",
    ..ADMIN_ONLY
};

/// Webhooks: the admin only, for every operation.
pub const WEBHOOKS: Policy = Policy {
    plural: "webhooks",
    singular: "webhook",
    ..ADMIN_ONLY
};

/// The compliance settings: every role but a participant reads them; only an admin replaces
/// them (`PUT`, an update of the one record).
pub const COMPLIANCE_SETTINGS: Policy = Policy {
    admin: Rights::UPDATE_ALL,
    officer: Rights::READ,
    participant: Rights::NONE,
    ..Policy::staff_writes("compliance settings", "compliance settings")
};

/// Enterprises: admin and officer CRUD; everyone reads; an enterprise user
/// changes its own enterprise, but not its membership status or credit code.
pub const ENTERPRISES: Policy = Policy {
    plural: "enterprises",
    singular: "enterprise",
    admin: Rights::ALL,
    officer: Rights::ALL,
    school: Rights::READ,
    enterprise: Rights {
        update: Reach::Own,
        ..Rights::READ
    },
    viewer: Rights::READ,
    participant: Rights::READ,
    owners: Owners {
        school: None,
        enterprise: Some("id"),
        participant: None,
    },
    fixed: &[(Role::Enterprise, &["membership_status", "credit_code"])],
};

/// Schools: admin and officer CRUD; everyone reads; a school user changes
/// its own school, but not its membership status or school code.
pub const SCHOOLS: Policy = Policy {
    plural: "schools",
    singular: "school",
    admin: Rights::ALL,
    officer: Rights::ALL,
    school: Rights {
        update: Reach::Own,
        ..Rights::READ
    },
    enterprise: Rights::READ,
    viewer: Rights::READ,
    participant: Rights::READ,
    owners: Owners {
        school: Some("id"),
        enterprise: None,
        participant: None,
    },
    fixed: &[(Role::School, &["membership_status", "code"])],
};

fn deny(what: &str) -> ApiError {
    ApiError::forbidden(format!("your role may not {what}"))
}

/// A 403 naming each field whose flag says the caller changed it.
fn unchanged(fields: &[(&str, bool)]) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = fields
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(field, _)| FieldError::new(*field, "forbidden", "your role may not change this field"))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            detail: "your role may not change these fields".into(),
            errors,
        })
    }
}

/// Placements: an admin does everything; an officer reads them all
/// (personal data masked) and changes nothing; a school user reads, creates,
/// changes and deletes its own school's (a new one naming another school is
/// a 403 naming `school_id`, and so is a change of `school_id`); an
/// enterprise user reads those it hosts (and makes its moves and
/// evaluations: [`placement_sides`], [`evaluation_side`]) but changes none
/// (403 on one it reads, 404 on one it does not); a viewer nothing.
pub const APPRENTICESHIPS: Policy = Policy {
    plural: "placements",
    singular: "placement",
    admin: Rights::ALL,
    officer: Rights::READ,
    school: Rights {
        read: Reach::Own,
        create: Reach::Own,
        update: Reach::Own,
        delete: Reach::Own,
    },
    enterprise: Rights {
        read: Reach::Own,
        ..Rights::NONE
    },
    viewer: Rights::NONE,
    participant: Rights {
        read: Reach::Own,
        ..Rights::NONE
    },
    owners: Owners {
        school: Some("school_id"),
        enterprise: Some("enterprise_id"),
        participant: Some(ParticipantColumn::Key("participant_key")),
    },
    fixed: &[(Role::School, &["school_id"])],
};

/// Whether the caller's role makes any placement moves at all (an officer or
/// a viewer makes none: 403 before anything else is judged).
pub fn makes_moves(caller: &Principal) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::School | Role::Enterprise => Ok(()),
        Role::Officer | Role::Viewer | Role::Participant => Err(deny("move placements")),
    }
}

/// The sides the caller acts for on one placement it may see: an admin for
/// both; a school user for the school; an enterprise user for the
/// enterprise, and for the school too when the placement has none.
pub fn placement_sides(caller: &Principal, enterprise_id: Uuid, school_id: Option<Uuid>) -> Sides {
    let owns_school = caller.role == Role::School && caller.org.is_some() && caller.org == school_id;
    let hosts = caller.role == Role::Enterprise && caller.org == Some(enterprise_id);
    match caller.role {
        Role::Admin => Sides {
            school: true,
            enterprise: true,
        },
        _ => Sides {
            school: owns_school || (hosts && school_id.is_none()),
            enterprise: hosts,
        },
    }
}

/// Whether the caller's role evaluates placements at all (an officer or a
/// viewer does not: 403 before the body is judged).
pub fn evaluates(caller: &Principal) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::School | Role::Enterprise => Ok(()),
        Role::Officer | Role::Viewer | Role::Participant => Err(deny("evaluate placements")),
    }
}

/// The side the caller evaluates a placement for: a school user the
/// school's, an enterprise user the enterprise's (naming another side is a
/// 403 naming `by`); an admin names `by` (422 without it).
pub fn evaluation_side(caller: &Principal, by: Option<EvaluationSide>) -> Result<EvaluationSide, ApiError> {
    evaluates(caller)?;
    acting_side(caller, by, "by", "evaluates")
}

/// Whether the caller's role reviews journals at all (an officer, a viewer
/// or a participant does not: 403 before the body is judged).
pub fn reviews_journals(caller: &Principal) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::School | Role::Enterprise => Ok(()),
        Role::Officer | Role::Viewer | Role::Participant => Err(deny("review journals")),
    }
}

/// The side the caller reviews a journal for: a school user the school's,
/// an enterprise user the enterprise's (naming another side is a 403 naming
/// `side`); an admin names `side` (422 without it).
pub fn review_side(caller: &Principal, side: Option<EvaluationSide>) -> Result<EvaluationSide, ApiError> {
    reviews_journals(caller)?;
    acting_side(caller, side, "side", "reviews")
}

/// The side a school or enterprise user acts for (naming the other in
/// `field` is a 403 naming it), or the one an admin names in `field` (422
/// without it); `verb` says what it does, for the 422.
fn acting_side(
    caller: &Principal,
    named: Option<EvaluationSide>,
    field: &str,
    verb: &str,
) -> Result<EvaluationSide, ApiError> {
    let own = match caller.role {
        Role::School => EvaluationSide::School,
        Role::Enterprise => EvaluationSide::Enterprise,
        Role::Admin => {
            return named.ok_or_else(|| {
                ApiError::invalid_field(field, "required", format!("an admin names the side it {verb} for"))
            })
        }
        Role::Officer | Role::Viewer | Role::Participant => return Err(deny("act for a side of a placement")),
    };
    unchanged(&[(field, named.is_some_and(|b| b != own))])?;
    Ok(own)
}

/// Meetings: admin and officer CRUD; everyone reads. Their action items
/// are changed one at a time by their owners too ([`ACTION_ITEMS`]).
pub const MEETINGS: Policy = Policy {
    participant: Rights::NONE,
    ..Policy::staff_writes("meetings", "meeting")
};

/// What the users of an action item's owner may not change: all but its
/// `status` and `done_on`.
const ITEM_OWNER_FIXED: &[&str] = &[
    "description",
    "owner_enterprise_id",
    "owner_school_id",
    "owner_name",
    "due_on",
];

/// A meeting's action items, changed one at a time: admins and officers
/// change any field of any item; the users of the school or enterprise that
/// owns an item change only its `status` and `done_on` (403 naming each
/// other field; [`owns_action_item`]); a viewer changes nothing. Everyone
/// reads them.
pub const ACTION_ITEMS: Policy = Policy {
    plural: "action items",
    singular: "action item",
    admin: Rights::UPDATE_ALL,
    officer: Rights::UPDATE_ALL,
    school: Rights::UPDATE_OWN,
    enterprise: Rights::UPDATE_OWN,
    viewer: Rights::READ,
    participant: Rights::NONE,
    owners: Owners {
        school: Some("owner_school_id"),
        enterprise: Some("owner_enterprise_id"),
        participant: None,
    },
    fixed: &[(Role::School, ITEM_OWNER_FIXED), (Role::Enterprise, ITEM_OWNER_FIXED)],
};

/// Whether the caller may change this action item ([`ACTION_ITEMS`]):
/// admins and officers any; a school or enterprise user only the items its
/// organisation owns.
pub fn owns_action_item(caller: &Principal, item: &ActionItem) -> Result<(), ApiError> {
    let scope = ACTION_ITEMS.scope(caller, Access::Update)?;
    let owner = |column: &str| match column {
        "owner_school_id" => item.owner_school_id,
        "owner_enterprise_id" => item.owner_enterprise_id,
        _ => None,
    };
    ACTION_ITEMS
        .check_in(scope, owner)
        .map_err(|_| deny("change an action item your organisation does not own"))
}

/// Demands: admin and officer CRUD; a school user and a viewer read them
/// all; an enterprise user reads and manages its own enterprise's (one of
/// another enterprise is a 404; naming another enterprise is a 403 naming
/// `enterprise_id`).
pub const DEMANDS: Policy = Policy {
    plural: "demands",
    singular: "demand",
    admin: Rights::ALL,
    officer: Rights::ALL,
    school: Rights::READ,
    enterprise: Rights {
        read: Reach::Own,
        create: Reach::Own,
        update: Reach::Own,
        delete: Reach::Own,
    },
    viewer: Rights::READ,
    participant: Rights::NONE,
    owners: Owners {
        school: None,
        enterprise: Some("enterprise_id"),
        participant: None,
    },
    fixed: &[(Role::Enterprise, &["enterprise_id"])],
};

/// Supervision visits, which belong to the placement they name (their
/// `school_id` and `enterprise_id` are the placement's): whoever reads a
/// placement reads its visits, and its writers write them ([`APPRENTICESHIPS`]:
/// an admin everything; an officer reads; a school user reads, creates,
/// changes and deletes its own school's placements' visits, a new one naming
/// another school's placement being a 403 naming `apprenticeship_id`; an
/// enterprise user reads those of the placements it hosts; a viewer nothing).
/// A participant reads the visits of its own placements.
pub const VISITS: Policy = Policy {
    plural: "visits",
    singular: "visit",
    owners: Owners {
        participant: Some(ParticipantColumn::Placement("apprenticeship_id")),
        ..APPRENTICESHIPS.owners
    },
    fixed: &[],
    ..APPRENTICESHIPS
};

/// Incidents, which belong to the placement they name, as visits do
/// ([`VISITS`]), except that a school user and an enterprise user both
/// create, read and change those of their own placements (the school's, the
/// hosted ones) and only an admin deletes one (a record of fact).
/// A participant reads the incidents of its own placements.
pub const INCIDENTS: Policy = Policy {
    plural: "incidents",
    singular: "incident",
    school: OWN_BUT_DELETE,
    enterprise: OWN_BUT_DELETE,
    ..VISITS
};

/// Check-ins, which belong to the placement they name, as visits do
/// ([`VISITS`]): an admin and an officer read them all, a school user its
/// own school's placements', an enterprise user those of the placements it
/// hosts, a viewer none; only the placement's participant makes them (its
/// own placements': [`Owners::participant`]), and no one changes or
/// deletes one (a record of fact).
pub const CHECK_INS: Policy = Policy {
    plural: "check-ins",
    singular: "check-in",
    admin: Rights::READ,
    officer: Rights::READ,
    school: READ_OWN,
    enterprise: READ_OWN,
    viewer: Rights::NONE,
    participant: Rights {
        read: Reach::Own,
        create: Reach::Own,
        ..Rights::NONE
    },
    owners: VISITS.owners,
    fixed: &[],
};

/// Journals, which belong to the placement they name, as check-ins do
/// ([`CHECK_INS`]): an admin and an officer read them all, a school user its
/// own school's placements', an enterprise user those of the placements it
/// hosts, a viewer none; only the placement's participant writes and
/// changes them (its own placements'); no one deletes one. Reviews are
/// their own right ([`reviews_journals`], [`review_side`]).
pub const JOURNALS: Policy = Policy {
    plural: "journals",
    singular: "journal",
    participant: Rights {
        read: Reach::Own,
        create: Reach::Own,
        update: Reach::Own,
        delete: Reach::No,
    },
    ..CHECK_INS
};

/// Reading the caller's own organisation's records, nothing else.
const READ_OWN: Rights = Rights {
    read: Reach::Own,
    ..Rights::NONE
};

/// Reading, creating and changing the caller's own organisation's records; deleting none.
const OWN_BUT_DELETE: Rights = Rights {
    read: Reach::Own,
    create: Reach::Own,
    update: Reach::Own,
    delete: Reach::No,
};

/// Competitions: admin and officer CRUD; everyone reads.
pub const COMPETITIONS: Policy = Policy::staff_writes("competitions", "competition");

/// Teachers' practice: admins and officers read every school's teachers
/// (officers masked, as placements mask personal data); a school user its own
/// school's (naming another school is a 403 naming `school_id`); an
/// enterprise user and a viewer nothing. Returns the school to read, if one.
pub fn teacher_practice(caller: &Principal, school_id: Option<Uuid>) -> Result<Option<Uuid>, ApiError> {
    match (caller.role, caller.org) {
        (Role::Admin | Role::Officer, _) => Ok(school_id),
        (Role::School, Some(org)) if school_id.is_none() || school_id == Some(org) => Ok(Some(org)),
        (Role::School, _) => Err(ApiError::Forbidden {
            detail: "a school user reads its own school's teachers only".into(),
            errors: vec![FieldError::new("school_id", "forbidden", "names another school")],
        }),
        (Role::Enterprise | Role::Viewer | Role::Participant, _) => Err(deny("read teachers' practice")),
    }
}

/// The records a caller's compliance findings (or summary) are about: one
/// school's, one enterprise's, or every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplianceScope {
    /// Only this school's placements and the enterprises hosting its active students.
    pub school: Option<Uuid>,
    /// Only this enterprise's.
    pub enterprise: Option<Uuid>,
    /// None at all (an organisation's user without an organisation).
    pub nothing: bool,
}

/// Compliance: admins and officers read every finding; a school user its
/// own school's, an enterprise user its own enterprise's (another
/// `school_id` or `enterprise_id` → 403 naming it); a viewer the summary
/// only (`findings` → 403). `school_id` and `enterprise_id` narrow further.
pub fn compliance(
    caller: &Principal,
    findings: bool,
    school_id: Option<Uuid>,
    enterprise_id: Option<Uuid>,
) -> Result<ComplianceScope, ApiError> {
    match caller.role {
        Role::Viewer if !findings => Ok(ComplianceScope {
            school: school_id,
            enterprise: enterprise_id,
            nothing: false,
        }),
        Role::Viewer => Err(deny("read compliance findings (the summary only)")),
        Role::Participant => Err(deny("read compliance findings")),
        _ => organisation_scope(caller, "findings", school_id, enterprise_id),
    }
}

/// The placements without a check-in (`GET /check-ins/missing`): admins
/// and officers every placement's; a school user its own school's, an
/// enterprise user those it hosts (another `school_id` or `enterprise_id`
/// → 403 naming it); a viewer and a participant none (403).
pub fn missing_check_ins(
    caller: &Principal,
    school_id: Option<Uuid>,
    enterprise_id: Option<Uuid>,
) -> Result<ComplianceScope, ApiError> {
    match caller.role {
        Role::Viewer | Role::Participant => Err(deny("read other people's check-ins")),
        _ => organisation_scope(caller, "placements' check-ins", school_id, enterprise_id),
    }
}

/// What an admin or an officer (everything, narrowed by `school_id` and
/// `enterprise_id`), a school user (its own school's) or an enterprise user
/// (its own) reads of a county-wide view of `what`; another organisation
/// named is a 403 naming the parameter.
fn organisation_scope(
    caller: &Principal,
    what: &str,
    school_id: Option<Uuid>,
    enterprise_id: Option<Uuid>,
) -> Result<ComplianceScope, ApiError> {
    let given = ComplianceScope {
        school: school_id,
        enterprise: enterprise_id,
        nothing: false,
    };
    let own = |name: &str, given: Option<Uuid>| match (caller.org, given) {
        (None, _) => Ok((None, true)),
        (Some(org), Some(other)) if other != org => Err(ApiError::Forbidden {
            detail: format!("a {} user reads its own {what} only", caller.role.as_str()),
            errors: vec![FieldError::new(name, "forbidden", "names another organisation")],
        }),
        (Some(org), _) => Ok((Some(org), false)),
    };
    match caller.role {
        Role::Admin | Role::Officer => Ok(given),
        Role::School => {
            let (school, nothing) = own("school_id", school_id)?;
            Ok(ComplianceScope {
                school,
                nothing,
                ..given
            })
        }
        Role::Enterprise => {
            let (enterprise, nothing) = own("enterprise_id", enterprise_id)?;
            Ok(ComplianceScope {
                enterprise,
                nothing,
                ..given
            })
        }
        Role::Viewer | Role::Participant => Err(deny(&format!("read {what}"))),
    }
}

/// Statistics: every role but a participant reads them (counts only, no
/// personal records).
pub fn stats(caller: &Principal) -> Result<(), ApiError> {
    match caller.role {
        Role::Participant => Err(deny("read statistics")),
        _ => Ok(()),
    }
}

/// Audit events: admin and officer read.
pub fn audit_events(caller: &Principal) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::Officer => Ok(()),
        _ => Err(deny("read the audit trail")),
    }
}

/// Whose records an organisation's own feed entries are: a school's
/// placements, an enterprise's hosted placements and its demands, and the
/// visits and incidents of those placements (the organisations each feed
/// entry carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Placements of this school, and their visits and incidents.
    School(Uuid),
    /// Placements this enterprise hosts, their visits and incidents, and its demands.
    Enterprise(Uuid),
}

impl Owner {
    /// The kinds of record whose feed entries carry this organisation.
    pub fn kinds(self) -> &'static [FeedType] {
        match self {
            Owner::School(_) => &[
                FeedType::Apprenticeship,
                FeedType::Visit,
                FeedType::Incident,
                FeedType::CheckIn,
                FeedType::Journal,
            ],
            Owner::Enterprise(_) => &[
                FeedType::Apprenticeship,
                FeedType::Demand,
                FeedType::Visit,
                FeedType::Incident,
                FeedType::CheckIn,
                FeedType::Journal,
            ],
        }
    }
}

/// What of the change feed a caller reads: every change of the kinds in
/// `every`, and the changes of its own organisation's records of the kinds
/// in `own`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedScope {
    /// The kinds of record whose every change the caller reads.
    pub every: Vec<FeedType>,
    /// The organisation whose own records the caller reads besides, and of which kinds.
    pub own: Option<(Owner, Vec<FeedType>)>,
}

/// How much of one kind of record a caller reads.
enum FeedReach {
    All,
    Own(Owner),
    Nothing,
}

/// How much of a collection the caller reads, by its [`Policy`].
fn policy_reach(policy: &Policy, caller: &Principal) -> FeedReach {
    match (policy.scope(caller, Access::Read), caller.role) {
        (Ok(Scope::All), _) => FeedReach::All,
        (Ok(Scope::Owned { org, .. }), Role::School) => FeedReach::Own(Owner::School(org)),
        (Ok(Scope::Owned { org, .. }), Role::Enterprise) => FeedReach::Own(Owner::Enterprise(org)),
        _ => FeedReach::Nothing,
    }
}

/// How much of `kind` the caller reads, by the resource's own rules above.
fn reach(caller: &Principal, kind: FeedType) -> FeedReach {
    match kind {
        FeedType::Enterprise => policy_reach(&ENTERPRISES, caller),
        FeedType::School => policy_reach(&SCHOOLS, caller),
        FeedType::Meeting => policy_reach(&MEETINGS, caller),
        FeedType::Base => policy_reach(&BASES, caller),
        FeedType::Competition => policy_reach(&COMPETITIONS, caller),
        FeedType::User => policy_reach(&USERS, caller),
        FeedType::Demand => policy_reach(&DEMANDS, caller),
        FeedType::Apprenticeship => policy_reach(&APPRENTICESHIPS, caller),
        FeedType::Visit => policy_reach(&VISITS, caller),
        FeedType::Incident => policy_reach(&INCIDENTS, caller),
        FeedType::ComplianceSettings => policy_reach(&COMPLIANCE_SETTINGS, caller),
        FeedType::CheckIn => policy_reach(&CHECK_INS, caller),
        FeedType::Journal => policy_reach(&JOURNALS, caller),
    }
}

/// The change feed: each caller reads the changes of the records it may
/// read, kind by kind as each resource's rules say (an admin all; an
/// officer all but users; a viewer no placements, visits, incidents or
/// users; a school its own placements and their visits and incidents; an
/// enterprise the placements it hosts, their visits and incidents, and its
/// own demands; a participant none of it: 403). `resource_type` narrows it to
/// one kind; a kind the role reads none of is a 403 naming it.
pub fn changes(caller: &Principal, resource_type: Option<FeedType>) -> Result<FeedScope, ApiError> {
    if caller.role == Role::Participant {
        return Err(deny("read the change feed"));
    }
    let kinds: Vec<FeedType> = match resource_type {
        Some(kind) => vec![kind],
        None => FeedType::ALL.to_vec(),
    };
    let mut scope = FeedScope {
        every: Vec::new(),
        own: None,
    };
    for kind in kinds {
        match reach(caller, kind) {
            FeedReach::All => scope.every.push(kind),
            FeedReach::Own(owner) => match &mut scope.own {
                Some((same, kinds)) if *same == owner => kinds.push(kind),
                _ => scope.own = Some((owner, vec![kind])),
            },
            FeedReach::Nothing => {}
        }
    }
    if scope.every.is_empty() && scope.own.is_none() {
        let kind = resource_type.map_or("any", |k| k.as_str());
        return Err(ApiError::Forbidden {
            detail: format!("your role reads no `{kind}` records"),
            errors: vec![FieldError::new(
                "resource_type",
                "forbidden",
                "your role reads none of these",
            )],
        });
    }
    Ok(scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, org: Option<Uuid>) -> Principal {
        Principal {
            user_id: Some(Uuid::now_v7()),
            username: "u".into(),
            role,
            org,
            participant: None,
            must_change_password: false,
            ip: "127.0.0.1".into(),
        }
    }

    #[test]
    fn the_enterprise_column_of_the_role_table_holds() {
        let own = Uuid::now_v7();
        let all = [Access::Read, Access::Create, Access::Update, Access::Delete];
        for role in [Role::Admin, Role::Officer] {
            for access in all {
                assert_eq!(ENTERPRISES.scope(&caller(role, None), access).unwrap(), Scope::All);
            }
        }
        for role in [Role::School, Role::Viewer] {
            let c = caller(role, Some(own));
            assert_eq!(ENTERPRISES.scope(&c, Access::Read).unwrap(), Scope::All);
            for access in [Access::Create, Access::Update, Access::Delete] {
                assert!(ENTERPRISES.scope(&c, access).is_err());
            }
        }
        let e = caller(Role::Enterprise, Some(own));
        let scope = ENTERPRISES.scope(&e, Access::Update).unwrap();
        assert_eq!(scope, Scope::Owned { column: "id", org: own });
        assert!(ENTERPRISES.check_in(scope.clone(), |_| Some(own)).is_ok());
        assert!(ENTERPRISES.check_in(scope, |_| Some(Uuid::now_v7())).is_err());
        assert!(ENTERPRISES.scope(&e, Access::Delete).is_err());
        assert_eq!(
            ENTERPRISES
                .scope(&caller(Role::Enterprise, None), Access::Update)
                .unwrap(),
            Scope::Nothing
        );
        // The school column mirrors it.
        let s = caller(Role::School, Some(own));
        assert_eq!(
            SCHOOLS.scope(&s, Access::Update).unwrap(),
            Scope::Owned { column: "id", org: own }
        );
        assert!(SCHOOLS.scope(&e, Access::Update).is_err());
    }

    #[test]
    fn an_enterprise_user_may_not_change_its_status_or_credit_code_but_an_officer_may() {
        let own = Uuid::now_v7();
        let changed = |field: &str| field == "membership_status";
        match ENTERPRISES.check_fixed(&caller(Role::Enterprise, Some(own)), changed) {
            Err(ApiError::Forbidden { errors, .. }) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].field, "membership_status");
            }
            other => panic!("{other:?}"),
        }
        assert!(ENTERPRISES.check_fixed(&caller(Role::Officer, None), changed).is_ok());
        assert!(ENTERPRISES
            .check_fixed(&caller(Role::Enterprise, Some(own)), |_| false)
            .is_ok());
        match SCHOOLS.check_fixed(&caller(Role::School, Some(own)), |field| field == "code") {
            Err(ApiError::Forbidden { errors, .. }) => assert_eq!(errors[0].field, "code"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_feed_scope_of_each_role_is_what_the_role_reads_of_each_kind() {
        let (school, host) = (Uuid::now_v7(), Uuid::now_v7());
        let every = |role: Role, org| changes(&caller(role, org), None).unwrap();
        use FeedType::*;
        assert_eq!(every(Role::Admin, None).every, FeedType::ALL.to_vec());
        assert_eq!(every(Role::Admin, None).own, None);
        let officer = every(Role::Officer, None);
        assert_eq!(
            officer.every,
            vec![
                Enterprise,
                School,
                Apprenticeship,
                Meeting,
                Demand,
                Base,
                Competition,
                Visit,
                Incident,
                ComplianceSettings,
                CheckIn,
                Journal
            ]
        );
        let viewer = every(Role::Viewer, None);
        assert_eq!(
            viewer.every,
            vec![
                Enterprise,
                School,
                Meeting,
                Demand,
                Base,
                Competition,
                ComplianceSettings
            ]
        );
        assert_eq!(viewer.own, None);
        let ours = every(Role::School, Some(school));
        assert_eq!(ours.every, viewer.every);
        assert_eq!(
            ours.own,
            Some((
                Owner::School(school),
                vec![Apprenticeship, Visit, Incident, CheckIn, Journal]
            ))
        );
        let hosts = every(Role::Enterprise, Some(host));
        assert_eq!(
            hosts.every,
            vec![Enterprise, School, Meeting, Base, Competition, ComplianceSettings]
        );
        assert_eq!(
            hosts.own,
            Some((
                Owner::Enterprise(host),
                vec![Apprenticeship, Demand, Visit, Incident, CheckIn, Journal]
            ))
        );
        // Narrowed to one kind: that kind, whole or own; none → 403 naming the parameter.
        let narrowed = changes(&caller(Role::Enterprise, Some(host)), Some(Demand)).unwrap();
        assert_eq!(
            (narrowed.every, narrowed.own),
            (vec![], Some((Owner::Enterprise(host), vec![Demand])))
        );
        for (role, kind) in [
            (Role::Viewer, Apprenticeship),
            (Role::Officer, User),
            (Role::School, User),
        ] {
            match changes(&caller(role, Some(school)), Some(kind)) {
                Err(ApiError::Forbidden { errors, .. }) => assert_eq!(errors[0].field, "resource_type"),
                other => panic!("{role:?} {kind:?}: {other:?}"),
            }
        }
    }
}
