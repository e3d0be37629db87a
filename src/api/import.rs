//! Imports from spreadsheets: `POST /api/v1/<collection>/imports` with a
//! CSV or XLSX file as the body (its media type says which) or as the
//! multipart field `file`. The file's columns are those an export writes;
//! each row is judged as a create through the JSON API would be.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::StreamExt;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};
use crate::model::import::{ImportReport, Table, MAX_IMPORT_ROWS};

/// The largest file an import takes.
pub const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// The most bytes the parts of an XLSX file may hold once decompressed
/// (a ZIP archive of 32 MiB could otherwise unpack to gigabytes).
const XLSX_MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// The most columns a file may have (a record type has fewer than 40).
const MAX_COLUMNS: usize = 64;

/// Whether a request uploads a file to an import (its body may be up to
/// [`IMPORT_MAX_BYTES`]).
pub fn is_import(req: &HttpRequest) -> bool {
    req.method() == actix_web::http::Method::POST && req.path().ends_with("/imports")
}

/// What an import's body may be.
const ACCEPTED: &str =
    "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or multipart/form-data (field `file`)";

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileFormat {
    Csv,
    Xlsx,
}

/// The form of a multipart import (the OpenAPI document's view of it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The CSV or XLSX file (by its media type or name; an XLSX file is also known by its content).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// An import's file, not yet read, so that a handler checks the caller's
/// rights before anything of the body is judged (or read).
pub struct ImportFile {
    req: HttpRequest,
    payload: Payload,
}

impl ImportFile {
    /// The file's table: its media type (415), its size (413), its
    /// arrival (408), then its content (422), parsed on a blocking thread.
    pub async fn table(mut self) -> Result<Table, ApiError> {
        let essence = self
            .req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        let format = match essence.as_deref() {
            Some(super::export::CSV) => Some(FileFormat::Csv),
            Some(super::export::XLSX) => Some(FileFormat::Xlsx),
            Some("multipart/form-data") => None,
            _ => return Err(ApiError::UnsupportedMediaType { accepted: ACCEPTED }),
        };
        let body = crate::api::body::read_body(&self.req, &mut self.payload).await?;
        let (format, file) = match format {
            Some(format) => (format, body),
            None => multipart_file(self.req.headers(), body).await?,
        };
        match tokio::task::spawn_blocking(move || parse(format, &file)).await {
            Ok(table) => table,
            // A parser's panic on a malformed file is that file's fault.
            Err(_) => Err(bad_file("format", "the file cannot be read")),
        }
    }
}

impl FromRequest for ImportFile {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ImportFile {
            req: req.clone(),
            payload: payload.take(),
        }))
    }
}

/// A 422 naming the file.
fn bad_file(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::Validation(vec![FieldError::new("file", code, message)])
}

/// A 422 for a file with more rows than an import takes.
fn too_many_rows() -> ApiError {
    bad_file("range", format!("one import takes at most {MAX_IMPORT_ROWS} data rows"))
}

/// A 422 for a file with more columns than any record type has.
fn too_many_columns() -> ApiError {
    bad_file("range", format!("the file has more than {MAX_COLUMNS} columns"))
}

/// The multipart field `file`, and its format: by its media type, else its
/// name, else its content (an XLSX file is a ZIP archive).
async fn multipart_file(headers: &header::HeaderMap, body: Bytes) -> Result<(FileFormat, Bytes), ApiError> {
    let stream = futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(body) });
    let mut form = actix_multipart::Multipart::new(headers, stream);
    // The form is the file's envelope: a form that cannot be read is a file
    // that cannot be read (422), like a CSV or XLSX file that cannot.
    let malformed =
        |e: actix_multipart::MultipartError| bad_file("format", format!("the multipart form cannot be read: {e}"));
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        if field.name() != Some("file") {
            while let Some(chunk) = field.next().await {
                chunk.map_err(malformed)?;
            }
            continue;
        }
        let media = field.content_type().map(|m| m.essence_str().to_ascii_lowercase());
        let name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(|n| n.to_ascii_lowercase());
        let mut file = bytes::BytesMut::new();
        while let Some(chunk) = field.next().await {
            file.extend_from_slice(&chunk.map_err(malformed)?);
        }
        let file = file.freeze();
        let format = match (media.as_deref(), name.as_deref()) {
            (Some(super::export::CSV), _) => FileFormat::Csv,
            (Some(super::export::XLSX), _) => FileFormat::Xlsx,
            (_, Some(name)) if name.ends_with(".csv") => FileFormat::Csv,
            (_, Some(name)) if name.ends_with(".xlsx") => FileFormat::Xlsx,
            _ if file.starts_with(b"PK\x03\x04") => FileFormat::Xlsx,
            _ => FileFormat::Csv,
        };
        return Ok((format, file));
    }
    Err(bad_file("required", "the form has no field `file`"))
}

/// The table of a file.
fn parse(format: FileFormat, bytes: &[u8]) -> Result<Table, ApiError> {
    match format {
        FileFormat::Csv => parse_csv(bytes),
        FileFormat::Xlsx => parse_xlsx(bytes),
    }
}

/// A CSV file's table. Rows are numbered as a spreadsheet shows the file:
/// a blank line (which CSV readers skip) is a row too, a quoted cell over
/// several lines is one.
fn parse_csv(bytes: &[u8]) -> Result<Table, ApiError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(bad_file(
            "encoding",
            "the CSV file is not UTF-8: save it as \"CSV UTF-8\" (Excel) or export it from this service",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines: Vec<(u64, Vec<String>)> = Vec::new();
    // The file line where the previous record ended, and its row; where
    // the previous record began (the reader's line numbers skip blank lines,
    // so lines are counted from byte offsets).
    let (mut last_line, mut last_row, mut counted_to, mut line_at) = (0u64, 0u64, 0usize, 1u64);
    for record in reader.records() {
        let record = record.map_err(|e| bad_file("format", format!("the CSV file cannot be read: {e}")))?;
        let mut start = record
            .position()
            .map_or(counted_to, |p| p.byte() as usize)
            .min(bytes.len());
        // The position is where the reader began, before the blank lines it skipped.
        while start < bytes.len() && (bytes[start] == b'\n' || bytes[start] == b'\r') {
            start += 1;
        }
        line_at += bytes[counted_to.min(start)..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted_to = start;
        let line = line_at;
        let row = last_row + line.saturating_sub(last_line).max(1);
        if row > MAX_IMPORT_ROWS as u64 + 1 {
            return Err(too_many_rows());
        }
        if record.len() > MAX_COLUMNS {
            return Err(too_many_columns());
        }
        let inner_lines: u64 = record.iter().map(|cell| cell.matches('\n').count() as u64).sum();
        last_line = line + inner_lines;
        last_row = row;
        lines.push((row, record.iter().map(str::to_string).collect()));
    }
    let mut lines = lines.into_iter();
    let (header_row, header) = lines.next().unwrap_or((1, Vec::new()));
    Ok(Table {
        header_row,
        header,
        rows: lines.collect(),
        guarded: true,
    })
}

/// Refuses an XLSX file whose parts unpack to more than
/// [`XLSX_MAX_UNPACKED_BYTES`], measured by unpacking them (a part's
/// declared size may lie).
fn check_unpacked_size(bytes: &[u8]) -> Result<(), ApiError> {
    let not_xlsx = |e: zip::result::ZipError| bad_file("format", format!("the file is not an XLSX workbook: {e}"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(not_xlsx)?;
    let mut left = XLSX_MAX_UNPACKED_BYTES;
    for index in 0..archive.len() {
        let part = archive.by_index(index).map_err(not_xlsx)?;
        let unpacked = std::io::copy(&mut std::io::Read::take(part, left + 1), &mut std::io::sink())
            .map_err(|e| bad_file("format", format!("the workbook cannot be unpacked: {e}")))?;
        if unpacked > left {
            return Err(bad_file(
                "range",
                format!(
                    "the workbook unpacks to more than {} MiB",
                    XLSX_MAX_UNPACKED_BYTES / (1024 * 1024)
                ),
            ));
        }
        left -= unpacked;
    }
    Ok(())
}

/// An XLSX file's table: its first sheet, read cell by cell (never as a
/// grid as large as the sheet's positions claim). The header is the first
/// row with a cell; rows keep their numbers in the sheet.
fn parse_xlsx(bytes: &[u8]) -> Result<Table, ApiError> {
    use calamine::Reader;
    check_unpacked_size(bytes)?;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad_file("format", format!("the file is not an XLSX workbook: {e}")))?;
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| bad_file("required", "the workbook has no sheet"))?;
    let unreadable =
        |e: calamine::XlsxError| bad_file("format", format!("the workbook's first sheet cannot be read: {e}"));
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut rows: std::collections::BTreeMap<u32, Vec<String>> = std::collections::BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let text = cell_text(&calamine::Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let col = col as usize;
        if col >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        let first_row = rows.keys().next().copied().unwrap_or(row).min(row);
        if row - first_row > MAX_IMPORT_ROWS as u32 {
            return Err(too_many_rows());
        }
        let cells = rows.entry(row).or_default();
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = text;
    }
    let mut rows = rows.into_iter().map(|(row, cells)| (u64::from(row) + 1, cells));
    let (header_row, header) = rows.next().unwrap_or((1, Vec::new()));
    Ok(Table {
        header_row,
        header,
        rows: rows.collect(),
        guarded: false,
    })
}

/// An XLSX cell as text: whole numbers without a decimal point, dates as
/// `YYYY-MM-DD` (a time of day after a `T`), an error cell as Excel shows it.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (*f as i64).to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(date) => match date.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().format("%Y-%m-%d").to_string(),
            Some(at) => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => date.as_f64().to_string(),
        },
        Data::Error(error) => error.to_string(),
    }
}

/// An import's answer: 200 for a dry run, 201 when rows were written.
pub fn answer(report: &ImportReport) -> HttpResponse {
    let status = match report.dry_run {
        true => actix_web::http::StatusCode::OK,
        false => actix_web::http::StatusCode::CREATED,
    };
    HttpResponse::build(status).json(report)
}

/// Declares a collection's import operation, `POST /<collection>/imports`,
/// beside its CRUD handlers (named in the collection's `more` list).
///
/// `import_api!(import_enterprises, "enterprises", "enterprises", Enterprise, EnterpriseCreate,
///     crate::auth::policy::enterprises, crate::service::enterprises);`
#[macro_export]
macro_rules! import_api {
    ($handler:ident, $collection:literal, $tag:literal, $Record:ident, $Create:ident, $policy:path, $service:path) => {
        #[doc = concat!("Import ", $collection, " from a spreadsheet.")]
        #[utoipa::path(
            tag = $tag,
            description = concat!(
            "The body is a CSV (UTF-8) or XLSX file, sent as itself with its media type or as the multipart field `file`, at most 32 MiB and 50,000 rows. ",
            "Its first row names the columns as an export of `GET /api/v1/", $collection, "` heads them (`名称 name`, or the field `name`, or the Chinese `名称`); ",
            "an exported file imports back (`id`, `version`, times and other columns the service sets are ignored). Empty cells are absent fields; lists and objects are JSON, as an export writes them. ",
            "Every row is judged as `POST /api/v1/", $collection, "` would judge it (field rules, your role, references, unique values, also between rows of the file). ",
            "`dry_run=true` reports without writing (200). Otherwise every row is imported in one transaction (201), or, when any row is bad, nothing (422 listing every problem of every row with its `row` and `column`); ",
            "`partial=true` imports the good rows and reports the bad ones (201). Each imported row is audited as a create."),
            params($crate::model::import::ImportQuery),
            request_body(
                description = "The file",
                content(
                    (String = "text/csv"),
                    (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    ($crate::api::import::ImportUpload = "multipart/form-data"),
                )
            ),
            responses(
                (status = 200, description = "A dry run's report: what an import would do", body = $crate::model::import::ImportReport),
                (status = 201, description = "Imported: the records created, and the bad rows left out (with `partial=true`)", body = $crate::model::import::ImportReport),
                (status = 409, description = "A unique value was taken, or a referenced record deleted, while the import ran", body = $crate::error::Problem, content_type = "application/problem+json"),
            )
        )]
        // `post` is the one the collection's `crud_api!` brought into scope
        // (utoipa reads the route from an attribute named so).
        #[post("/imports")]
        pub async fn $handler(
            state: actix_web::web::Data<$crate::api::AppState>,
            caller: $crate::api::caller::Caller,
            query: $crate::api::query::Query<$crate::model::import::ImportQuery>,
            file: $crate::api::import::ImportFile,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $policy(&caller, $crate::auth::policy::Access::Create, None)?;
            let rows = $crate::model::import::decode_rows::<$Record, $Create>(&file.table().await?)?;
            let report = {
                use $service as service;
                service::import(&state.db, &caller, rows, query.options()).await?
            };
            Ok($crate::api::import::answer(&report))
        }
    };
}
