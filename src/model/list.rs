//! Lists: the query parameters every list accepts, the sort tables, the
//! checked page request a service runs, and the page every list returns.

use chrono::{DateTime, Datelike, NaiveDate, SubsecRound, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Required;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::cursor::{binding, Cursor, CursorError};
use crate::domain::search::fold;
use crate::error::ApiError;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 20;
/// The largest `limit`.
pub const MAX_LIMIT: u64 = 100;
/// The longest `q`, in characters.
pub const MAX_Q_CHARS: usize = 200;

/// The sort table of one list: the fields it sorts by, its name (cursors
/// are bound to it) and its default order (descending).
pub trait SortKey: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// The list's name.
    const LIST: &'static str;
    /// Every sortable field, in the documented order.
    const ALL: &'static [Self];
    /// The field of the default order, newest first.
    const DEFAULT: Self;
    /// The field's name as the API spells it.
    fn as_str(self) -> &'static str;

    /// The column the list sorts by for this field: the one of the same
    /// name unless a key column stands beside it (a nullable date's).
    fn column(self) -> &'static str {
        self.as_str()
    }
}

/// A list's filters, declared as the fields of its query struct
/// (`#[derive(Filters)]`): each that is given is one test of one column,
/// and the list's rows pass them all.
pub trait ListFilters {
    /// The tests of the filters given.
    fn filters(&self) -> Vec<Filter>;
}

/// One filter: a column, a test and the value the query gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The column it tests.
    pub column: &'static str,
    /// How it tests it.
    pub test: Test,
    /// The value it compares with.
    pub value: FilterValue,
}

/// How a filter compares its column with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// The column equals the value.
    Equals,
    /// The column is the value or after it.
    AtLeast,
    /// The column is the value or before it.
    AtMost,
    /// The column is before the value.
    Before,
    /// The column is after the value.
    After,
}

/// A filter's value, typed as its column stores it.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    /// An id.
    Id(Uuid),
    /// A text or a vocabulary's value.
    Text(String),
    /// A day.
    Date(NaiveDate),
    /// An instant.
    Time(DateTime<Utc>),
    /// A whole number.
    Int(i64),
    /// A flag.
    Bool(bool),
}

impl From<Uuid> for FilterValue {
    fn from(id: Uuid) -> Self {
        FilterValue::Id(id)
    }
}

impl From<String> for FilterValue {
    fn from(text: String) -> Self {
        FilterValue::Text(text)
    }
}

impl From<NaiveDate> for FilterValue {
    fn from(day: NaiveDate) -> Self {
        FilterValue::Date(day)
    }
}

impl From<crate::model::field::Date> for FilterValue {
    fn from(day: crate::model::field::Date) -> Self {
        FilterValue::Date(day.naive())
    }
}

impl From<DateTime<Utc>> for FilterValue {
    fn from(at: DateTime<Utc>) -> Self {
        FilterValue::Time(at)
    }
}

impl From<bool> for FilterValue {
    fn from(flag: bool) -> Self {
        FilterValue::Bool(flag)
    }
}

impl From<i32> for FilterValue {
    fn from(number: i32) -> Self {
        FilterValue::Int(number.into())
    }
}

impl<V: crate::domain::vocab::Vocabulary> From<V> for FilterValue {
    fn from(value: V) -> Self {
        FilterValue::Text(value.as_str().to_string())
    }
}

/// A sort order: a field of the list's sort table and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<K> {
    /// The field.
    pub key: K,
    /// `true` for a `-` prefix: largest first.
    pub descending: bool,
}

impl<K: SortKey> Default for Sort<K> {
    fn default() -> Self {
        Sort {
            key: K::DEFAULT,
            descending: true,
        }
    }
}

impl<K: SortKey> Sort<K> {
    /// Reads `name` or `-name`; `None` when the field is not in the table.
    pub fn parse(text: &str) -> Option<Self> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        K::ALL
            .iter()
            .find(|key| key.as_str() == name)
            .map(|&key| Sort { key, descending })
    }

    /// The order as the `sort` parameter spells it.
    pub fn to_text(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.key.as_str())
    }
}

impl<'de, K: SortKey> Deserialize<'de> for Sort<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Sort::parse(&text).ok_or_else(|| {
            let all: Vec<String> = K::ALL.iter().map(|k| k.as_str().to_string()).collect();
            D::Error::custom(format!(
                "unknown variant `{text}`: must be one of {} (with `-` first for descending)",
                all.join(", ")
            ))
        })
    }
}

/// The `sort` parameter of a list whose sort table is `K`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(bound = "")]
pub struct SortQuery<K: SortKey> {
    /// The order; see [`IntoParams`] for its documentation.
    pub sort: Option<Sort<K>>,
}

impl<K: SortKey> SortQuery<K> {
    /// The requested order, or the default one.
    pub fn order(&self) -> Sort<K> {
        self.sort.unwrap_or_default()
    }
}

impl<K: SortKey> IntoParams for SortQuery<K> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let names: Vec<&str> = K::ALL.iter().map(|k| k.as_str()).collect();
        let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let default = Sort::<K>::default().to_text();
        vec![ParameterBuilder::new()
            .name("sort")
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(format!(
                "Sort by {}; `-` first for descending. Default `{default}` (newest first); ties are broken by `id`.",
                listed.join(", ")
            )))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(format!("^(-?({}))?$", names.join("|")))),
            ))
            .build()]
    }
}

/// The longest value of a query parameter, in characters.
pub const MAX_PARAMETER_CHARS: usize = 500;

/// The longest cursor, in characters (its sort value may be a long name).
pub const MAX_CURSOR_CHARS: usize = 4096;

/// Paging: accepted by every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–100 (default 20); it may change from page to page.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page. Opaque; valid only with the
    /// same `sort`, search and filters it was issued for (otherwise 400).
    #[param(format = "cursor")]
    pub cursor: Option<String>,
}

/// Search and incremental sync: accepted by every list but the audit trail.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Substring search that ignores case and traditional vs simplified
    /// Chinese; `%` and `_` are literal. At most 200 characters, e.g.
    /// `产教融合` (percent-encoded in the URL).
    #[param(max_length = 200, pattern = "^[^\\x00]*$")]
    pub q: Option<String>,
    /// Only records updated at or after this RFC 3339 time (inclusive), e.g.
    /// `2024-04-03T08:00:00Z`.
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<String>,
}

impl SearchQuery {
    /// Refuses `q` on a list that has no text search (400 naming it, rather than ignoring it).
    pub fn refuse_q(&self, why: &str) -> Result<(), ApiError> {
        match self.q {
            Some(_) => Err(ApiError::bad_parameter("q", "unknown", why)),
            None => Ok(()),
        }
    }
}

/// Incremental sync alone, for the document of a list without text search
/// (its handler still reads [`SearchQuery`], to refuse `q` by name).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// Only records updated at or after this RFC 3339 time (inclusive), e.g.
    /// `2024-04-03T08:00:00Z`.
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<String>,
}

/// The value of a sort column, as carried in a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum SortValue {
    /// A text column (names).
    Text(String),
    /// A timestamp column (`created_at`, `updated_at`).
    Time(DateTime<Utc>),
    /// A date column.
    Date(NaiveDate),
}

/// The type of a sort column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    /// Text.
    Text,
    /// A timestamp.
    Time,
    /// A calendar date.
    Date,
}

/// The longest text a cursor's sort value may hold (a stored text field's limit).
const MAX_SORT_TEXT_CHARS: usize = 500;

impl SortValue {
    /// The value's type.
    pub fn kind(&self) -> SortKind {
        match self {
            SortValue::Text(_) => SortKind::Text,
            SortValue::Time(_) => SortKind::Time,
            SortValue::Date(_) => SortKind::Date,
        }
    }

    /// Whether a stored value could have this value: text of at most 500
    /// characters without a NUL, a time or date in years 1–9999. A cursor
    /// holding anything else is refused before it reaches a database.
    pub fn could_be_stored(&self) -> bool {
        match self {
            SortValue::Text(text) => !text.contains('\0') && text.chars().count() <= MAX_SORT_TEXT_CHARS,
            SortValue::Time(time) => (1..=9999).contains(&time.year()),
            SortValue::Date(date) => (1..=9999).contains(&date.year()),
        }
    }
}

/// One page request of a list, checked: what a service runs.
#[derive(Debug, Clone)]
pub struct ListRequest<K> {
    /// Items per page, 1–100.
    pub limit: u64,
    /// The order.
    pub sort: Sort<K>,
    /// Where the page starts: the sort value and id of the previous page's last item.
    pub after: Option<(SortValue, Uuid)>,
    /// The folded search text, if any.
    pub q: Option<String>,
    /// Only records updated at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// The binding of this query (sort and filters), carried by the cursors it issues.
    pub binding: String,
    /// Whether the page counts the filtered records (`false`: `total` is 0;
    /// an export counts them once, on its first page).
    pub with_total: bool,
}

/// The answer to a cursor that is not one this service issued for the query.
pub fn bad_cursor() -> ApiError {
    ApiError::bad_parameter("cursor", "cursor", CursorError::Malformed.to_string())
}

/// A `limit` parameter: empty or absent is `default`; otherwise a whole
/// number from 1 to `max` (400 naming `limit`).
pub fn limit_of(text: Option<&str>, default: u64, max: u64) -> Result<u64, ApiError> {
    match text {
        None | Some("") => Ok(default),
        Some(text) => match text.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_parameter(
                "limit",
                "range",
                format!("must be a whole number from 1 to {max}"),
            )),
        },
    }
}

impl<K: SortKey> ListRequest<K> {
    /// Checks the paging and search parameters and binds the cursor to the
    /// list, its order, search and `filters` (any serialisable form of them).
    pub fn new(
        page: &PageQuery,
        search: Option<&SearchQuery>,
        sort: Sort<K>,
        filters: &impl Serialize,
    ) -> Result<Self, ApiError> {
        let limit = limit_of(page.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
        let q = match search.and_then(|s| s.q.as_deref()).map(str::trim) {
            None | Some("") => None,
            Some(q) if q.chars().count() > MAX_Q_CHARS => {
                return Err(ApiError::bad_parameter(
                    "q",
                    "length",
                    format!("must be at most {MAX_Q_CHARS} characters"),
                ))
            }
            Some(q) => Some(fold(q)),
        };
        let updated_since = search
            .and_then(|s| s.updated_since.as_deref())
            .filter(|text| !text.is_empty())
            .map(|text| parse_timestamp("updated_since", text))
            .transpose()?;

        let sort_text = sort.to_text();
        let since_text = updated_since.map(|t| t.to_rfc3339()).unwrap_or_default();
        let filters_text = serde_json::to_string(filters).map_err(|e| ApiError::Internal(e.into()))?;
        let binding = binding(&[
            ("resource", K::LIST),
            ("sort", &sort_text),
            ("q", q.as_deref().unwrap_or("")),
            ("updated_since", &since_text),
            ("filters", &filters_text),
        ]);

        let after = match page.cursor.as_deref() {
            None | Some("") => None,
            Some(text) => Some(decode_after(text, &binding)?),
        };
        Ok(ListRequest {
            limit,
            sort,
            after,
            q,
            updated_since,
            binding,
            with_total: true,
        })
    }
}

impl<K: SortKey> ListRequest<K> {
    /// The same request for the page after the one whose `next_cursor` is
    /// `cursor`, without its total (an export walks every page this way).
    pub fn following(&self, cursor: &str) -> Result<Self, ApiError> {
        Ok(ListRequest {
            after: Some(decode_after(cursor, &self.binding)?),
            with_total: false,
            ..self.clone()
        })
    }
}

/// Where the page after a cursor starts, if the cursor is one this service
/// issued for the query with `binding`.
fn decode_after(text: &str, binding: &str) -> Result<(SortValue, Uuid), ApiError> {
    let cursor = Cursor::decode(text, binding).map_err(|e| {
        let code = match e {
            CursorError::Malformed => "cursor",
            CursorError::WrongQuery => "cursor_mismatch",
        };
        ApiError::bad_parameter("cursor", code, e.to_string())
    })?;
    let value = serde_json::from_value::<SortValue>(cursor.key)
        .ok()
        .filter(SortValue::could_be_stored)
        .ok_or_else(bad_cursor)?;
    Ok((value, cursor.id))
}

/// Parses an RFC 3339 time from a query parameter, to microseconds. A `+`
/// offset that arrived as a space (an unencoded `+` in a query) is accepted.
pub fn parse_timestamp(name: &str, text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|e| {
            if text.contains(' ') {
                DateTime::parse_from_rfc3339(&text.replace(' ', "+"))
            } else {
                Err(e)
            }
        })
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(6))
        .map_err(|_| ApiError::bad_parameter(name, "format", "must be an RFC 3339 time such as 2024-04-03T08:00:00Z"))
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageOf<T> {
    /// The items of this page, in the requested order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// How many items match the filters, over all pages.
    pub total: u64,
}

impl<T> PageOf<T> {
    /// The same page with every item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> PageOf<U> {
        PageOf {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            total: self.total,
        }
    }

    /// The same page with every item converted, or the first failure.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<PageOf<U>, E> {
        Ok(PageOf {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next_cursor: self.next_cursor,
            total: self.total,
        })
    }
}

/// A page shared by every request that reads it while its table is
/// unchanged (see the service's page cache), with its JSON written once.
#[derive(Debug)]
pub struct SharedPage<T> {
    page: PageOf<T>,
    json: std::sync::OnceLock<bytes::Bytes>,
}

impl<T> SharedPage<T> {
    /// A page to share.
    pub fn new(page: PageOf<T>) -> Self {
        SharedPage {
            page,
            json: std::sync::OnceLock::new(),
        }
    }
}

/// A page as a list service answers it: owned or shared.
pub trait ListPage<T> {
    /// The page itself.
    fn page(&self) -> &PageOf<T>;
}

impl<T> ListPage<T> for PageOf<T> {
    fn page(&self) -> &PageOf<T> {
        self
    }
}

impl<T> ListPage<T> for std::sync::Arc<SharedPage<T>> {
    fn page(&self) -> &PageOf<T> {
        &self.page
    }
}

/// A page as the body of a response: its JSON.
pub trait PageBody {
    /// The page's JSON (written once for a [`SharedPage`]).
    fn json(&self) -> Result<bytes::Bytes, serde_json::Error>;
}

impl<T: Serialize> PageBody for PageOf<T> {
    fn json(&self) -> Result<bytes::Bytes, serde_json::Error> {
        serde_json::to_vec(self).map(bytes::Bytes::from)
    }
}

impl<T: Serialize> PageBody for std::sync::Arc<SharedPage<T>> {
    fn json(&self) -> Result<bytes::Bytes, serde_json::Error> {
        if let Some(json) = self.json.get() {
            return Ok(json.clone());
        }
        let json = self.page.json()?;
        Ok(self.json.get_or_init(|| json).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test table.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, chanjiao_derive::SortKey)]
    #[sort(list = "tests", default = CreatedAt)]
    enum TestSort {
        /// `name`
        Name,
        /// `created_at`
        CreatedAt,
    }

    fn request(limit: Option<&str>) -> Result<ListRequest<TestSort>, ApiError> {
        let page = PageQuery {
            limit: limit.map(str::to_string),
            cursor: None,
        };
        ListRequest::new(&page, None, Sort::default(), &())
    }

    #[test]
    fn limits_outside_one_to_a_hundred_are_refused() {
        for bad in ["0", "101", "-1", "abc", "1.5", "２0"] {
            assert!(request(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(request(Some("100")).unwrap().limit, 100);
        assert_eq!(request(None).unwrap().limit, 20);
    }

    #[test]
    fn the_default_sort_is_newest_first_and_unknown_sorts_are_refused() {
        assert_eq!(
            Sort::<TestSort>::default(),
            Sort {
                key: TestSort::CreatedAt,
                descending: true
            }
        );
        assert_eq!(
            Sort::<TestSort>::parse("-name"),
            Some(Sort {
                key: TestSort::Name,
                descending: true
            })
        );
        assert_eq!(Sort::<TestSort>::parse("password"), None);
        assert_eq!(Sort::<TestSort>::parse("--name"), None);
        let doc = SortQuery::<TestSort>::into_params(|| None);
        let schema = serde_json::to_value(&doc[0]).unwrap();
        assert_eq!(schema["schema"]["pattern"], "^(-?(name|created_at))?$");
    }

    #[test]
    fn timestamps_accept_offsets_and_a_plus_sent_as_a_space() {
        let t = parse_timestamp("t", "2024-04-03T16:00:00 08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-04-03T08:00:00+00:00");
        assert!(parse_timestamp("t", "yesterday").is_err());
    }
}
