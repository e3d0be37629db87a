//! Lists as spreadsheets: `Accept: text/csv` (or `format=csv`) answers the
//! whole list, every page of it, with the JSON list's filters, sort, role
//! scoping and masking, streamed page by page, so that memory stays flat
//! however long the list. CSV is UTF-8 with a byte-order mark, so that Excel
//! shows Chinese correctly; the columns are the record type's
//! [`Columns`](crate::model::export::Columns).

use std::future::Future;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::model::export::{row, Columns};
use crate::model::list::{ListPage, ListRequest, PageBody, SortKey};

/// The CSV media type.
pub const CSV: &str = "text/csv";

/// Rows read per page while exporting (the most a page may have).
const EXPORT_PAGE: u64 = 100;

/// A spreadsheet format a list can be exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, UTF-8 with a byte-order mark.
    Csv,
}

/// The export choice of a list's query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv`: the whole list (every page, same filters and sort) as a CSV
    /// file, for a link; the same as `Accept: text/csv`. `json` or empty:
    /// one page of JSON. `limit` and `cursor` do not apply to an export.
    #[param(pattern = "^(csv|json)?$")]
    pub format: Option<String>,
}

/// The format a request asks for: `format=` first, then `Accept`.
pub fn requested(req: &HttpRequest, query: &ExportQuery) -> Result<Option<Format>, ApiError> {
    match query.format.as_deref() {
        Some("csv") => return Ok(Some(Format::Csv)),
        Some("json") | Some("") => return Ok(None),
        Some(_) => return Err(ApiError::bad_parameter("format", "enum", "must be `csv` or `json`")),
        None => {}
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let wants = |media: &str| {
        accept.split(',').any(|part| {
            part.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(media))
        })
    };
    Ok(wants(CSV).then_some(Format::Csv))
}

/// A list's answer: one page of JSON, or the whole list as the format the
/// request asks for (see [`requested`]).
pub async fn page_or_export<R, K, P, F, Fut>(
    req: &HttpRequest,
    export: &ExportQuery,
    name: &str,
    request: ListRequest<K>,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    R: Serialize + Columns + 'static,
    K: SortKey + 'static,
    P: ListPage<R> + PageBody,
    F: Fn(ListRequest<K>) -> Fut + 'static,
    Fut: Future<Output = Result<P, ApiError>> + 'static,
{
    match requested(req, export)? {
        Some(format) => respond(format, name, request, fetch).await,
        None => super::crud::page_response(&fetch(request).await?),
    }
}

/// CSV lines: each item of `lines` a row of cells, written by one writer.
fn csv_lines(lines: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for cells in lines {
        writer.write_record(&cells).map_err(|e| ApiError::Internal(e.into()))?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))
}

/// The CSV rows of one page.
fn csv_rows<R: Serialize + Columns>(items: &[R]) -> Result<Bytes, ApiError> {
    let rows = items
        .iter()
        .map(|item| serde_json::to_value(item).map(|value| row::<R>(&value)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::Internal(e.into()))?;
    csv_lines(rows).map(Bytes::from)
}

/// Answers the whole list as `format`, reading it page by page with
/// `fetch` from `first` on. The first page is read before answering, so
/// that its failure is an ordinary problem response; a later failure ends
/// the stream early (and is logged).
async fn respond<R, K, P, F, Fut>(
    format: Format,
    name: &str,
    first: ListRequest<K>,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    R: Serialize + Columns + 'static,
    K: SortKey + 'static,
    P: ListPage<R>,
    F: Fn(ListRequest<K>) -> Fut + 'static,
    Fut: Future<Output = Result<P, ApiError>> + 'static,
{
    let Format::Csv = format;
    let first = ListRequest {
        limit: EXPORT_PAGE,
        after: None,
        ..first
    };
    let page = fetch(first.clone()).await?;
    let headers: Vec<String> = R::COLUMNS.iter().map(|(header, _)| header.to_string()).collect();
    let mut head = "\u{feff}".as_bytes().to_vec();
    head.extend(csv_lines([headers])?);
    head.extend(csv_rows(&page.page().items)?);
    let next = page.page().next_cursor.clone();
    let fetch = Arc::new(fetch);
    let rest = futures_util::stream::unfold((first, next), move |(request, cursor)| {
        let fetch = fetch.clone();
        async move {
            let cursor = cursor?;
            let step = async {
                let request = request.following(&cursor)?;
                let page = fetch(request.clone()).await?;
                let rows = csv_rows(&page.page().items)?;
                Ok::<_, ApiError>((rows, request, page.page().next_cursor.clone()))
            };
            match step.await {
                Ok((rows, request, next)) => Some((Ok::<_, actix_web::Error>(rows), (request, next))),
                Err(err) => {
                    tracing::error!(error = %err, "an export stopped early");
                    Some((Err(err.into()), (request, None)))
                }
            }
        }
    });
    let body = futures_util::stream::once(async move { Ok::<_, actix_web::Error>(Bytes::from(head)) }).chain(rest);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .streaming(body))
}
