//! Lists as spreadsheets: `Accept: text/csv` or the XLSX media type (or
//! `format=csv` / `format=xlsx`) answers the whole list, every page of it,
//! with the JSON list's filters, sort, role scoping and masking, read page
//! by page so that memory stays flat however long the list. CSV is UTF-8
//! with a byte-order mark, so that Excel shows Chinese correctly, and is
//! streamed as it is read; XLSX rows go to a temporary file while the list
//! is read (rust_xlsxwriter's constant-memory mode), then the workbook is
//! streamed. The columns are the record type's
//! [`Columns`](crate::model::export::Columns).

use std::future::Future;
use std::sync::Arc;

use actix_web::http::header::{self, Header, HeaderValue, Quality};
use actix_web::mime;
use actix_web::{HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tracing::Instrument;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::model::export::{csv_text, row, CellKind, Column, Columns};
use crate::model::list::{ListPage, ListRequest, PageBody, SortKey};

/// The CSV media type.
pub const CSV: &str = "text/csv";

/// The XLSX (Office Open XML workbook) media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Rows read per page while exporting (the most a page may have).
const EXPORT_PAGE: u64 = 100;

/// The most records an XLSX sheet holds (1,048,576 rows, one of them the header).
const XLSX_MAX_RECORDS: u64 = 1_048_575;

/// The longest text an XLSX cell holds.
const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// A spreadsheet format a list can be exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, UTF-8 with a byte-order mark.
    Csv,
    /// An Excel workbook with one sheet.
    Xlsx,
}

impl Format {
    /// The format's media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => CSV,
            Format::Xlsx => XLSX,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The export choice of a list's query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` or `xlsx`: the whole list (every page, same filters and sort)
    /// as a file, for a link; the same as `Accept: text/csv` or `Accept:
    /// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`.
    /// `json` or empty: one page of JSON. An export starts at the first
    /// record, whatever `limit` and `cursor` say (they are still checked).
    #[param(pattern = "^(csv|xlsx|json)?$")]
    pub format: Option<String>,
}

/// What a list request asks for: one page of JSON, or the whole list as a file.
#[derive(Debug, Clone, Copy)]
pub struct Wanted(Option<Format>);

impl Wanted {
    /// The answer a request asks for: `format=` first, then `Accept` (the
    /// media type with the highest quality; JSON on a tie or when none
    /// of them is acceptable).
    pub fn of(req: &HttpRequest, query: &ExportQuery) -> Result<Self, ApiError> {
        match query.format.as_deref() {
            Some("csv") => return Ok(Wanted(Some(Format::Csv))),
            Some("xlsx") => return Ok(Wanted(Some(Format::Xlsx))),
            Some("json") | Some("") => return Ok(Wanted(None)),
            Some(_) => {
                return Err(ApiError::bad_parameter(
                    "format",
                    "enum",
                    "must be `csv`, `xlsx` or `json`",
                ))
            }
            None => {}
        }
        let Ok(accept) = header::Accept::parse(req) else {
            return Ok(Wanted(None));
        };
        let offers = [
            (None, mime::APPLICATION_JSON),
            (Some(Format::Csv), mime::TEXT_CSV),
            (Some(Format::Xlsx), XLSX.parse().expect("a valid media type")),
        ];
        let mut best = (None, Quality::ZERO);
        for (format, media) in offers {
            let quality = quality_of(&accept, &media);
            if quality > best.1 {
                best = (format, quality);
            }
        }
        Ok(Wanted(best.0))
    }

    /// The list's answer: one page of JSON, or the whole list as the wanted
    /// format, read with `fetch` from `request` on. Either way `Vary: Accept`.
    pub async fn answer<R, K, P, F, Fut>(
        self,
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
        let mut response = match self.0 {
            Some(format) => respond(format, name, request, fetch).await?,
            None => super::crud::page_response(&fetch(request).await?)?,
        };
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("Accept"));
        Ok(response)
    }
}

/// The quality `accept` gives `media`: that of its most specific matching range.
fn quality_of(accept: &header::Accept, media: &mime::Mime) -> Quality {
    accept
        .iter()
        .filter_map(|range| {
            let item = &range.item;
            let specificity = match (item.type_(), item.subtype()) {
                (mime::STAR, mime::STAR) => 0,
                (kind, mime::STAR) if kind == media.type_() => 1,
                (kind, sub) if kind == media.type_() && sub == media.subtype() => 2,
                _ => return None,
            };
            Some((specificity, range.quality))
        })
        .max_by_key(|(specificity, _)| *specificity)
        .map_or(Quality::ZERO, |(_, quality)| quality)
}

/// The text cells of one page's records, as the list shows them.
fn page_rows<R: Serialize + Columns>(items: &[R]) -> Result<Vec<Vec<String>>, ApiError> {
    items
        .iter()
        .map(|item| serde_json::to_value(item).map(|value| row::<R>(&value)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::Internal(e.into()))
}

/// CSV lines: each item of `lines` a row of cells, written by one writer.
fn csv_lines(lines: impl IntoIterator<Item = Vec<String>>) -> Result<Bytes, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for cells in lines {
        writer.write_record(&cells).map_err(|e| ApiError::Internal(e.into()))?;
    }
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))
}

/// The CSV lines of some records' cells (text that a spreadsheet would
/// take for a formula guarded, see [`csv_text`]).
fn csv_records(columns: &[Column], rows: Vec<Vec<String>>) -> Result<Bytes, ApiError> {
    csv_lines(rows.into_iter().map(|cells| {
        cells
            .into_iter()
            .zip(columns)
            .map(|(text, column)| match column.kind {
                CellKind::Text => csv_text(text),
                CellKind::Number | CellKind::Json => text,
            })
            .collect()
    }))
}

/// Answers the whole list as `format`, reading it page by page with
/// `fetch` from `first` on. The first page is read before answering, so
/// that its failure is an ordinary problem response; a later failure ends
/// the stream early (and is logged in the request's span).
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
    let first = ListRequest {
        limit: EXPORT_PAGE,
        after: None,
        ..first
    };
    let page = fetch(first.clone()).await?;
    if format == Format::Xlsx && page.page().total > XLSX_MAX_RECORDS {
        return Err(ApiError::bad_parameter(
            "format",
            "too_many_rows",
            format!(
                "an XLSX sheet holds at most {XLSX_MAX_RECORDS} records and this list has {}: export it as CSV, or narrow the filters",
                page.page().total
            ),
        ));
    }
    let rows = page_rows(&page.page().items)?;
    let next = page.page().next_cursor.clone();
    drop(page);
    let span = tracing::Span::current();
    let fetch = Arc::new(fetch);
    // The pages after the first, each as its records' cells.
    let pages = futures_util::stream::unfold((first, next), move |(request, cursor)| {
        let fetch = fetch.clone();
        let span = span.clone();
        async move {
            let cursor = cursor?;
            let step = async {
                let request = request.following(&cursor)?;
                let page = fetch(request.clone()).await?;
                let rows = page_rows(&page.page().items)?;
                Ok::<_, ApiError>((rows, request, page.page().next_cursor.clone()))
            };
            match step.instrument(span.clone()).await {
                Ok((rows, request, next)) => Some((Ok(rows), (request, next))),
                Err(err) => {
                    span.in_scope(|| tracing::error!(error = %err, "an export stopped early"));
                    Some((Err(err), (request, None)))
                }
            }
        }
    });
    let pages = futures_util::stream::once(async move { Ok(rows) }).chain(pages);
    let body = match format {
        Format::Csv => csv_body::<R>(pages).boxed_local(),
        Format::Xlsx => xlsx_body::<R>(pages, tracing::Span::current()).boxed_local(),
    };
    Ok(HttpResponse::Ok()
        .content_type(match format {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => XLSX,
        })
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{}\"", format.extension()),
        ))
        .streaming(body))
}

/// Pages of records' cells (or the error that ended the list).
type Pages = futures_util::stream::LocalBoxStream<'static, Result<Vec<Vec<String>>, ApiError>>;

/// The CSV file: a byte-order mark and the header line, then each page's lines as it is read.
fn csv_body<R: Columns>(
    pages: impl futures_util::Stream<Item = Result<Vec<Vec<String>>, ApiError>> + 'static,
) -> impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> {
    let columns = R::columns();
    let head = csv_lines([columns.iter().map(|column| column.header.to_string()).collect()]).map(|line| {
        let mut head = "\u{feff}".as_bytes().to_vec();
        head.extend_from_slice(&line);
        Bytes::from(head)
    });
    let lines = pages.map(move |rows| csv_records(&columns, rows?));
    futures_util::stream::once(async move { head })
        .chain(lines)
        .map(|chunk| chunk.map_err(actix_web::Error::from))
}

/// The XLSX workbook: the pages are written, as they are read, into a
/// sheet kept in a temporary file by a blocking thread; once the list is
/// read, the workbook is streamed out in chunks.
fn xlsx_body<R: Columns>(
    pages: impl futures_util::Stream<Item = Result<Vec<Vec<String>>, ApiError>> + 'static,
    span: tracing::Span,
) -> impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> {
    let pages: Pages = pages.boxed_local();
    let (rows_in, rows_out) = tokio::sync::mpsc::channel::<Vec<Vec<String>>>(2);
    let (chunks_in, chunks_out) = tokio::sync::mpsc::channel::<Result<Bytes, ApiError>>(4);
    let columns = R::columns();
    let writer_span = span.clone();
    let failed = chunks_in.clone();
    tokio::task::spawn_blocking(move || {
        let _entered = writer_span.enter();
        if let Err(err) = write_workbook(&columns, rows_out, chunks_in) {
            tracing::error!(error = %err, "an XLSX export stopped early");
            let _ = failed.blocking_send(Err(err));
        }
    });
    // Feeds the writer; when the list fails, the writer's channel closes
    // without a workbook, and the error ends the body.
    let feed = async move {
        let mut pages = pages;
        while let Some(page) = pages.next().await {
            match page {
                Ok(rows) => {
                    if rows_in.send(rows).await.is_err() {
                        return Ok(());
                    }
                }
                Err(err) => return Err(err),
            }
        }
        Ok(())
    };
    let fed = futures_util::stream::once(feed).filter_map(|outcome| async move { outcome.err().map(Err) });
    let written = futures_util::stream::unfold(chunks_out, |mut chunks| async move {
        chunks.recv().await.map(|chunk| (chunk, chunks))
    });
    fed.chain(written).scan(false, |ended, chunk| {
        // Nothing after an error: the file is cut short.
        let item = (!*ended).then(|| {
            *ended = chunk.is_err();
            chunk.map_err(actix_web::Error::from)
        });
        async move { item }
    })
}

/// Writes every row received from `rows` into a constant-memory sheet, then
/// the workbook into `chunks`. A closed `rows` before the end of the list
/// (a failed page) is reported by the feeder, not here.
fn write_workbook(
    columns: &[Column],
    mut rows: tokio::sync::mpsc::Receiver<Vec<Vec<String>>>,
    chunks: tokio::sync::mpsc::Sender<Result<Bytes, ApiError>>,
) -> Result<(), ApiError> {
    let fault = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(anyhow::anyhow!("XLSX: {e}"));
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.set_tempdir(std::env::temp_dir()).map_err(fault)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory().map_err(fault)?;
    for (col, column) in columns.iter().enumerate() {
        let col = u16::try_from(col).map_err(|e| ApiError::Internal(e.into()))?;
        sheet
            .write_string_with_format(0, col, column.header, &bold)
            .map_err(fault)?;
    }
    let mut next_row: u32 = 1;
    while let Some(page) = rows.blocking_recv() {
        for cells in page {
            for (col, (text, column)) in cells.iter().zip(columns).enumerate() {
                let col = col as u16;
                if text.is_empty() {
                    continue;
                }
                let number = match column.kind {
                    CellKind::Number => text.parse::<f64>().ok(),
                    CellKind::Text | CellKind::Json => None,
                };
                match number {
                    Some(number) => sheet.write_number(next_row, col, number).map_err(fault)?,
                    None => sheet.write_string(next_row, col, cut(text)).map_err(fault)?,
                };
            }
            next_row += 1;
        }
    }
    if chunks.is_closed() {
        return Ok(());
    }
    workbook
        .save_to_writer(ChunkWriter {
            chunks: &chunks,
            buffer: Vec::with_capacity(CHUNK),
        })
        .map_err(fault)
}

/// At most the characters an XLSX cell holds.
fn cut(text: &str) -> &str {
    match text.char_indices().nth(XLSX_MAX_CELL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Bytes per streamed chunk of a workbook.
const CHUNK: usize = 64 * 1024;

/// A writer that sends what it is given, in chunks, to a response body.
struct ChunkWriter<'a> {
    chunks: &'a tokio::sync::mpsc::Sender<Result<Bytes, ApiError>>,
    buffer: Vec<u8>,
}

impl ChunkWriter<'_> {
    fn send(&mut self) -> std::io::Result<()> {
        let chunk = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        self.chunks
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl std::io::Write for ChunkWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            self.send()?;
        }
        Ok(())
    }
}

impl Drop for ChunkWriter<'_> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}
