//! What a webhook is told: the URL its deliveries go to ([`WebhookUrl`])
//! and the events of the change feed it takes ([`EventName`]).

use chanjiao_derive::TextField;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;

use super::{fixed_rule, Broken, TextRule};
use crate::model::doc;

/// Where a webhook's deliveries go: an absolute `http` or `https` URL of
/// at most 500 characters, with a host, without a user name or password
/// (the signature authenticates a delivery) and without a `#fragment`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct WebhookUrl(String);

impl TextRule for WebhookUrl {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(text, "format", "must be an http or https URL of at most 500 characters, with a host and without credentials or a #fragment", |text| webhook_url(&text).map(|_| text)).map(WebhookUrl)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string(None, Some(500), Some("^[Hh][Tt][Tt][Pp][Ss]?://"), None)
    }
}

/// The parsed URL of a webhook, if `text` is one ([`WebhookUrl`]'s rule).
pub fn webhook_url(text: &str) -> Option<url::Url> {
    if text.chars().count() > 500 || text.trim() != text {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let fine = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none();
    fine.then_some(url)
}

impl WebhookUrl {
    /// The parsed URL (checked when the value was made or stored).
    pub fn url(&self) -> Option<url::Url> {
        webhook_url(&self.0)
    }
}

/// An event a webhook takes: `<resource_type>.<action>` of the change
/// feed (`apprenticeship.update`), or `*` for every change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct EventName(String);

impl TextRule for EventName {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(
            text,
            "enum",
            "must be `*` or `<resource_type>.<action>`, such as `apprenticeship.update`",
            |text| EventName::read(&text).ok().map(|_| text),
        )
        .map(EventName)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        let mut names = vec![serde_json::Value::from("*")];
        for feed in crate::domain::vocab::FeedType::ALL {
            for action in crate::domain::vocab::ChangeAction::ALL {
                names.push(format!("{}.{}", feed.as_str(), action.as_str()).into());
            }
        }
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(names))
            .into()
    }
}

impl EventName {
    /// `None` for `*`, else the kind of record and the action it names; `Err` when it names none.
    fn read(text: &str) -> Result<Option<(crate::domain::vocab::FeedType, crate::domain::vocab::ChangeAction)>, ()> {
        if text == "*" {
            return Ok(None);
        }
        let (feed, action) = text.split_once('.').ok_or(())?;
        match (
            crate::domain::vocab::FeedType::parse(feed),
            crate::domain::vocab::ChangeAction::parse(action),
        ) {
            (Some(feed), Some(action)) => Ok(Some((feed, action))),
            _ => Err(()),
        }
    }

    /// Whether a change of this kind of record and action is this event.
    pub fn matches(&self, feed: crate::domain::vocab::FeedType, action: crate::domain::vocab::ChangeAction) -> bool {
        match EventName::read(&self.0) {
            Ok(None) => true,
            Ok(Some(named)) => named == (feed, action),
            Err(()) => false,
        }
    }

    /// The event of a change: `<resource_type>.<action>`.
    pub fn of(feed: crate::domain::vocab::FeedType, action: crate::domain::vocab::ChangeAction) -> EventName {
        EventName(format!("{}.{}", feed.as_str(), action.as_str()))
    }
}
