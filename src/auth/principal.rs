//! Who makes a request: the user behind a verified access token, with its
//! role, organisation and client address; and who acts, for the audit trail.

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::vocab::Role;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user's id (`None` for a token from an outside identity provider).
    pub user_id: Option<Uuid>,
    /// The username (the token's subject for an outside identity).
    pub username: String,
    /// The role.
    pub role: Role,
    /// The enterprise or school the caller belongs to, for those roles.
    pub org: Option<Uuid>,
    /// A participant's key: its upper-cased resident ID, which its
    /// placements' `participant.national_id` equals.
    pub participant: Option<Arc<str>>,
    /// Whether the user must change its password before anything but
    /// reading itself.
    pub must_change_password: bool,
    /// The client address.
    pub ip: String,
}

impl Principal {
    /// The caller as an audit actor.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            username: Some(self.username.clone()),
            ip: self.ip.clone(),
        }
    }

    /// An admin that is no user: the command line, start-up, the demo data
    /// (its actor is [`Actor::system`]).
    pub fn system(name: &str) -> Self {
        Principal {
            user_id: None,
            username: name.to_string(),
            role: Role::Admin,
            org: None,
            participant: None,
            must_change_password: false,
            ip: "local".into(),
        }
    }

    /// Whether the caller is this user.
    pub fn is(&self, user_id: Uuid) -> bool {
        self.user_id == Some(user_id)
    }
}

/// Who acts, and from which client address, as the audit trail records it.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The acting user's id, when known.
    pub user_id: Option<Uuid>,
    /// The acting user's username (or the username a failed login tried).
    pub username: Option<String>,
    /// The client address.
    pub ip: String,
}

impl Actor {
    /// An actor that is no user: the command line, start-up.
    pub fn system(name: &str) -> Self {
        Actor {
            user_id: None,
            username: Some(name.to_string()),
            ip: "local".into(),
        }
    }

    /// An anonymous client at `ip`.
    pub fn anonymous(ip: &str) -> Self {
        Actor {
            user_id: None,
            username: None,
            ip: ip.to_string(),
        }
    }
}
