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

/// Paging: accepted by every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–100 (default 20); it may change from page to page.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page. Opaque; valid only with the
    /// same `sort`, search and filters it was issued for (otherwise 400).
    pub cursor: Option<String>,
}

/// Search and incremental sync: accepted by every list but the audit trail.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Substring search that ignores case and traditional vs simplified
    /// Chinese; `%` and `_` are literal. At most 200 characters.
    #[param(example = "产教融合", max_length = 200)]
    pub q: Option<String>,
    /// Only records updated at or after this RFC 3339 time (inclusive).
    #[param(value_type = Option<String>, format = DateTime, example = "2024-04-03T08:00:00Z")]
    pub updated_since: Option<String>,
}

/// What a list offers: its name (cursors are bound to it), the fields it
/// sorts by, and the field of its default order (newest first).
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// The list's name.
    pub resource: &'static str,
    /// The sort allow-list.
    pub sortable: &'static [&'static str],
    /// The default sort field, descending.
    pub default_field: &'static str,
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

impl PageQuery {
    /// Checks the parameters and builds the service's page request. `sort` is
    /// the list's `sort` parameter, `search` its `q` and `updated_since` (if it
    /// takes them), `filters` its own filters in canonical text form; the
    /// cursor is bound to all of them.
    pub fn request(
        &self,
        spec: &ListSpec,
        sort: Option<&str>,
        search: Option<&SearchQuery>,
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
        let sort = parse_sort(sort, spec.sortable, spec.default_field)?;
        let q = match search.and_then(|s| s.q.as_deref()).map(str::trim) {
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
        let updated_since = search
            .and_then(|s| s.updated_since.as_deref())
            .filter(|text| !text.is_empty())
            .map(|text| parse_timestamp("updated_since", text))
            .transpose()?;

        let sort_text = format!("{}{}", if sort.descending { "-" } else { "" }, sort.field);
        let since_text = updated_since.map(|t| t.to_rfc3339()).unwrap_or_default();
        let mut parts: Vec<(&str, &str)> = vec![
            ("resource", spec.resource),
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

/// Checks a free-text filter: at most 500 characters, no U+0000; an empty
/// value is no filter.
pub fn text_filter(name: &str, text: Option<&str>) -> Result<Option<String>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(t) if t.contains('\0') => Err(ApiError::bad_parameter(name, "invalid", "must not contain U+0000")),
        Some(t) if t.chars().count() > 500 => Err(ApiError::bad_parameter(
            name,
            "length",
            "must be at most 500 characters",
        )),
        Some(t) => Ok(Some(t.to_string())),
    }
}

/// Parses a filter that takes one word of a closed vocabulary; an empty value
/// is no filter.
pub fn parse_choice<T>(
    name: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<Option<T>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(t) => parse(t)
            .map(Some)
            .ok_or_else(|| ApiError::bad_parameter(name, "enum", format!("must be one of {}", all.join(", ")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec = ListSpec {
        resource: "x",
        sortable: &["name", "created_at"],
        default_field: "created_at",
    };

    fn request(limit: Option<&str>, sort: Option<&str>) -> Result<ListRequest, ApiError> {
        let page = PageQuery {
            limit: limit.map(str::to_string),
            cursor: None,
        };
        page.request(&SPEC, sort, None, &[])
    }

    #[test]
    fn limits_outside_one_to_a_hundred_are_refused() {
        for bad in ["0", "101", "-1", "abc", "1.5", "２0"] {
            assert!(request(Some(bad), None).is_err(), "{bad}");
        }
        assert_eq!(request(Some("100"), None).unwrap().limit, 100);
        assert_eq!(request(None, None).unwrap().limit, 20);
    }

    #[test]
    fn the_default_sort_is_newest_first_and_unknown_sorts_are_refused() {
        let r = request(None, None).unwrap();
        assert_eq!(
            r.sort,
            Sort {
                field: "created_at",
                descending: true
            }
        );
        let r = request(None, Some("-name")).unwrap();
        assert_eq!(
            r.sort,
            Sort {
                field: "name",
                descending: true
            }
        );
        assert!(request(None, Some("password")).is_err());
        assert!(request(None, Some("--name")).is_err());
    }

    #[test]
    fn timestamps_accept_offsets_and_a_plus_sent_as_a_space() {
        let t = parse_timestamp("t", "2024-04-03T16:00:00 08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-04-03T08:00:00+00:00");
        assert!(parse_timestamp("t", "yesterday").is_err());
    }
}
