//! Check-ins (签到): a participant's arrival at and departure from the
//! workplace, one `in` and one `out` per placement and day; and the
//! supervisor's morning view of the placements without an `in` today.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::export::{Column, Columns};
use super::field::{Date, Latitude, Longitude, Metres, PlainText, Stored as _};
use super::list::{ListPage, PageBody, PageOf};
use super::resource::{Create, Record, Resource};
use crate::domain::vocab::{CheckInKind, ResourceType};

/// A check-in as every answer shows it.
pub type CheckIn = Record<CheckInFields>;
/// The body that makes a check-in.
pub type CheckInCreate = Create<CheckInFields>;

/// A day that a body never gives (the service sets a check-in's `on`).
fn unset_day() -> Date {
    Date::from_stored(chrono::NaiveDate::default())
}

/// A participant's check-in at the workplace of one of its placements:
/// `in` on arriving, `out` on leaving, each at most once a day, with the
/// position the device reported. The coordinates are personal data: the
/// participant, the placement's school and admins see them; everyone else
/// sees `latitude` and `longitude` as null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct CheckInFields {
    /// The placement (from the path; read-only).
    #[field(label = "实习项目", computed, example = "01900000-0000-7000-8000-00000000a9e1")]
    #[serde(default)]
    pub apprenticeship_id: Uuid,
    /// The placement's school (read-only; follows the placement).
    #[field(label = "学校", computed, example = "01900000-0000-7000-8000-0000000005c1")]
    #[serde(default)]
    pub school_id: Option<Uuid>,
    /// The placement's host enterprise (read-only; follows the placement).
    #[field(label = "企业", computed, example = "01900000-0000-7000-8000-0000000052f1")]
    #[serde(default)]
    pub enterprise_id: Uuid,
    /// `in` on arriving, `out` on leaving (after that day's `in`).
    #[field(label = "类型")]
    pub kind: CheckInKind,
    /// The day, in `CHANJIAO_TIMEZONE`, of the server's clock when it was made (read-only).
    #[field(label = "日期", computed, example = "2024-10-15")]
    #[serde(default = "unset_day")]
    pub on: Date,
    /// When the server received it (read-only).
    #[field(label = "时间", computed, example = "2024-10-15T00:31:07.123456Z")]
    #[serde(default)]
    pub at: chrono::DateTime<chrono::Utc>,
    /// Latitude in degrees (WGS-84), −90 to 90, at most 6 decimals; given
    /// with `longitude` or not at all. Null to whoever may not see it.
    #[field(label = "纬度", example = 36.651216)]
    pub latitude: Option<Latitude>,
    /// Longitude in degrees (WGS-84), −180 to 180, at most 6 decimals;
    /// given with `latitude` or not at all. Null to whoever may not see it.
    #[field(label = "经度", example = 117.120128)]
    pub longitude: Option<Longitude>,
    /// How accurate the position is, in metres: 0 to 10 000.
    #[field(label = "精度（米）", example = 15)]
    pub accuracy_m: Option<Metres>,
    /// A note, at most 500 characters.
    #[field(label = "备注", example = "早班")]
    pub note: Option<PlainText>,
}

impl Resource for CheckInFields {
    const NAME: &'static str = "CheckIn";
    const COLLECTION: &'static str = "check-ins";
    const TYPE: ResourceType = ResourceType::CheckIn;
    const CREATE_DOC: &'static str = "A check-in. `kind` is required; `latitude` and `longitude` come together or\nnot at all. The placement is the path's; the day and the time are the\nserver's.";
    const PATCH_DOC: &'static str = "Check-ins are not changed.";
    type Sort = CheckInSort;
    type Filters = CheckInFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
            "kind": "in", "latitude": 36.651216, "longitude": 117.120128, "accuracy_m": 15, "note": "早班"})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        None
    }
}

/// The order of a placement's check-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "check_ins", default = CreatedAt)]
pub enum CheckInSort {
    /// `created_at` (the same as `at`)
    CreatedAt,
}

/// Filters of a placement's check-ins; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct CheckInFilters {
    /// The placement (from the path, never from the query).
    #[serde(skip_deserializing)]
    #[param(ignore)]
    pub apprenticeship_id: Option<Uuid>,
    /// Only the check-ins on or after this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "on", test = "at_least")]
    pub from: Option<Date>,
    /// Only the check-ins on or before this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "on", test = "at_most")]
    pub to: Option<Date>,
}

/// The parameters of `GET /check-ins/missing`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MissingQuery {
    /// The day (`YYYY-MM-DD`); today in `CHANJIAO_TIMEZONE` when left out.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub on: Option<Date>,
    /// Only this school's placements (a school user's own whether or not it
    /// is given; another → 403).
    pub school_id: Option<Uuid>,
    /// Only the placements this enterprise hosts (an enterprise user's own
    /// whether or not it is given; another → 403).
    pub enterprise_id: Option<Uuid>,
}

/// A placement whose participant has not checked in on the day.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"apprenticeship_id": "01900000-0000-7000-8000-00000000a9e1", "participant_name": "李明",
    "enterprise_id": "01900000-0000-7000-8000-0000000052f1", "school_id": "01900000-0000-7000-8000-0000000005c1"}))]
pub struct MissingCheckIn {
    /// The placement.
    pub apprenticeship_id: Uuid,
    /// Its participant's name.
    pub participant_name: String,
    /// Its host enterprise.
    pub enterprise_id: Uuid,
    /// Its school, if any.
    pub school_id: Option<Uuid>,
}

impl Columns for MissingCheckIn {
    const COLUMNS: &'static [Column] = &[
        Column::text("实习项目 apprenticeship_id", "apprenticeship_id"),
        Column::text("姓名 participant_name", "participant_name"),
        Column::text("企业 enterprise_id", "enterprise_id"),
        Column::text("学校 school_id", "school_id"),
    ];
}

/// One page of the placements without an `in` on `on`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MissingPage {
    /// The day judged.
    #[schema(value_type = String, format = Date, example = "2024-10-15")]
    pub on: Date,
    /// The page.
    #[serde(flatten)]
    #[schema(inline)]
    pub page: PageOf<MissingCheckIn>,
}

impl ListPage<MissingCheckIn> for MissingPage {
    fn page(&self) -> &PageOf<MissingCheckIn> {
        &self.page
    }
}

impl PageBody for MissingPage {
    fn json(&self) -> Result<bytes::Bytes, serde_json::Error> {
        serde_json::to_vec(self).map(bytes::Bytes::from)
    }
}

/// The missing check-ins' one order: by placement. Not a choice: `sort` is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingOrder;

impl super::list::SortKey for MissingOrder {
    const LIST: &'static str = "check_ins_missing";
    const ALL: &'static [Self] = &[MissingOrder];
    const DEFAULT: Self = MissingOrder;

    fn as_str(self) -> &'static str {
        "apprenticeship_id"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_coordinate_has_at_most_six_decimals_and_lies_on_the_globe() {
        assert_eq!(Latitude::parse(36.651216).unwrap().units(), 36_651_216);
        assert_eq!(Latitude::parse(-90.0).unwrap().units(), -90_000_000);
        assert!(Latitude::parse(90.000001).is_err());
        assert!(Latitude::parse(91.0).is_err());
        assert!(Latitude::parse(36.6512161).is_err());
        assert_eq!(Longitude::parse(-180.0).unwrap().units(), -180_000_000);
        assert!(Longitude::parse(180.5).is_err());
        assert!(Metres::parse(10_000.01).is_err());
        assert_eq!(Metres::parse(12.5).unwrap().units(), 1250);
        assert_eq!(
            serde_json::to_string(&Latitude::parse(36.651216).unwrap()).unwrap(),
            "36.651216"
        );
        assert_eq!(serde_json::to_string(&Metres::parse(15.0).unwrap()).unwrap(), "15");
    }
}
