//! The query parameters every list accepts, and the page every list returns.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::cursor::{binding, Cursor, CursorError};
use crate::domain::search::fold;
use crate::error::ApiError;
use crate::service::list::{ListRequest, Sort, SortValue};

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 20;
/// The largest `limit`.
pub const MAX_LIMIT: u64 = 100;
/// The longest `q`, in characters.
pub const MAX_Q_CHARS: usize = 200;

/// A resource's filters in canonical text form, `(name, value)`, to bind cursors to.
pub type CanonicalFilters = Vec<(&'static str, String)>;

/// Paging, sorting, search and incremental sync: accepted by every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1–100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page. Opaque; valid only with the
    /// same `sort`, `q` and filters it was issued for.
    pub cursor: Option<String>,
    /// A field from the resource's sort list, `-` first for descending.
    /// Default `-created_at` (newest first); ties are broken by `id`.
    #[param(example = "-created_at")]
    pub sort: Option<String>,
    /// Substring search that ignores case and traditional vs simplified Chinese.
    #[param(example = "产教融合")]
    pub q: Option<String>,
    /// Only records updated at or after this RFC 3339 time (inclusive).
    #[param(value_type = Option<String>, format = DateTime, example = "2024-04-03T08:00:00Z")]
    pub updated_since: Option<String>,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageOf<T: ToSchema> {
    /// The items of this page, in the requested order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// How many items match the filters, over all pages.
    pub total: u64,
}

impl<T: ToSchema> PageOf<T> {
    /// The response form of a service page.
    pub fn from_page<M>(page: crate::service::list::Page<M>, f: impl FnMut(M) -> T) -> Self {
        let page = page.map(f);
        PageOf {
            items: page.items,
            next_cursor: page.next_cursor,
            total: page.total,
        }
    }
}

impl ListQuery {
    /// Checks the parameters and builds the service's page request.
    /// `filters` are the resource's own filters in canonical text form; the
    /// cursor is bound to them, to the sort and to `q`.
    pub fn parse(
        &self,
        resource: &str,
        sortable: &[&'static str],
        filters: &[(&str, String)],
    ) -> Result<ListRequest, ApiError> {
        self.parse_with_default(resource, sortable, "created_at", filters)
    }

    /// As [`Self::parse`], for a resource whose default order is newest
    /// first by `default_field` rather than by `created_at`.
    pub fn parse_with_default(
        &self,
        resource: &str,
        sortable: &[&'static str],
        default_field: &'static str,
        filters: &[(&str, String)],
    ) -> Result<ListRequest, ApiError> {
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<u64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(ApiError::bad_parameter(
                        "limit",
                        "range",
                        format!("must be a whole number from 1 to {MAX_LIMIT}"),
                    ))
                }
            },
        };
        let sort = parse_sort(self.sort.as_deref(), sortable, default_field)?;
        let q = match self.q.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(q) if q.contains('\0') => {
                return Err(ApiError::bad_parameter("q", "invalid", "must not contain U+0000"))
            }
            Some(q) if q.chars().count() > MAX_Q_CHARS => {
                return Err(ApiError::bad_parameter(
                    "q",
                    "length",
                    format!("must be at most {MAX_Q_CHARS} characters"),
                ))
            }
            Some(q) => Some(fold(q)),
        };
        let updated_since = self
            .updated_since
            .as_deref()
            .map(|text| parse_timestamp("updated_since", text))
            .transpose()?;

        let sort_text = format!("{}{}", if sort.descending { "-" } else { "" }, sort.field);
        let since_text = updated_since.map(|t| t.to_rfc3339()).unwrap_or_default();
        let mut parts: Vec<(&str, &str)> = vec![
            ("resource", resource),
            ("sort", &sort_text),
            ("q", q.as_deref().unwrap_or("")),
            ("updated_since", &since_text),
        ];
        parts.extend(filters.iter().map(|(k, v)| (*k, v.as_str())));
        let binding = binding(&parts);

        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(text) => {
                let cursor = Cursor::decode(text, &binding).map_err(|e| {
                    let code = match e {
                        CursorError::Malformed => "cursor",
                        CursorError::WrongQuery => "cursor_mismatch",
                    };
                    ApiError::bad_parameter("cursor", code, e.to_string())
                })?;
                let value: SortValue = serde_json::from_value(cursor.key).map_err(|_| {
                    ApiError::bad_parameter("cursor", "cursor", "the cursor is malformed or was altered")
                })?;
                Some((value, cursor.id))
            }
        };
        Ok(ListRequest {
            limit,
            sort,
            after,
            q,
            updated_since,
            binding,
        })
    }
}

fn parse_sort(text: Option<&str>, sortable: &[&'static str], default_field: &'static str) -> Result<Sort, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(Sort {
            field: default_field,
            descending: true,
        });
    };
    let (descending, name) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    match sortable.iter().find(|f| **f == name) {
        Some(field) => Ok(Sort { field, descending }),
        None => Err(ApiError::bad_parameter(
            "sort",
            "enum",
            format!("must be one of {} (with `-` for descending)", sortable.join(", ")),
        )),
    }
}

/// Parses an RFC 3339 time from a query parameter, to microseconds. A `+`
/// offset that arrived as a space (unencoded `+` in a query) is accepted.
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

/// Checks a free-text filter: at most 500 characters, no U+0000.
pub fn text_filter(name: &str, text: Option<&str>) -> Result<Option<String>, ApiError> {
    match text {
        None => Ok(None),
        Some(t) if t.contains('\0') => Err(ApiError::bad_parameter(name, "invalid", "must not contain U+0000")),
        Some(t) if t.chars().count() > 500 => Err(ApiError::bad_parameter(
            name,
            "length",
            "must be at most 500 characters",
        )),
        Some(t) => Ok(Some(t.to_string())),
    }
}

/// Parses a filter that takes one word of a closed vocabulary.
pub fn parse_choice<T>(
    name: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<Option<T>, ApiError> {
    match text {
        None => Ok(None),
        Some(t) => parse(t)
            .map(Some)
            .ok_or_else(|| ApiError::bad_parameter(name, "enum", format!("must be one of {}", all.join(", ")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(limit: Option<&str>, sort: Option<&str>) -> ListQuery {
        ListQuery {
            limit: limit.map(str::to_string),
            sort: sort.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn limits_outside_one_to_a_hundred_are_refused() {
        for bad in ["0", "101", "-1", "abc", "1.5", "２0"] {
            assert!(query(Some(bad), None).parse("x", &["name"], &[]).is_err(), "{bad}");
        }
        assert_eq!(query(Some("100"), None).parse("x", &["name"], &[]).unwrap().limit, 100);
        assert_eq!(query(None, None).parse("x", &["name"], &[]).unwrap().limit, 20);
    }

    #[test]
    fn the_default_sort_is_newest_first_and_unknown_sorts_are_refused() {
        let r = query(None, None).parse("x", &["name", "created_at"], &[]).unwrap();
        assert_eq!(
            r.sort,
            Sort {
                field: "created_at",
                descending: true
            }
        );
        let r = query(None, Some("-name")).parse("x", &["name"], &[]).unwrap();
        assert_eq!(
            r.sort,
            Sort {
                field: "name",
                descending: true
            }
        );
        assert!(query(None, Some("password")).parse("x", &["name"], &[]).is_err());
        assert!(query(None, Some("--name")).parse("x", &["name"], &[]).is_err());
    }

    #[test]
    fn timestamps_accept_offsets_and_a_plus_sent_as_a_space() {
        let t = parse_timestamp("t", "2024-04-03T16:00:00 08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-04-03T08:00:00+00:00");
        assert!(parse_timestamp("t", "yesterday").is_err());
    }
}
