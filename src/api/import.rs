//! Imports from spreadsheets: `POST /api/v1/<collection>/imports` with a
//! CSV or XLSX file as the body (its media type says which) or as the
//! multipart field `file`. The file's columns are those an export writes;
//! each row is judged as a create through the JSON API would be.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};
use crate::model::import::{ImportReport, Table};

/// The largest file an import takes.
pub const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

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

/// An import's file, read (at most [`IMPORT_MAX_BYTES`]) but not yet
/// parsed, so that a handler checks the caller's rights before it judges the file.
pub struct ImportFile {
    /// The file's format, `None` for a multipart form.
    format: Option<FileFormat>,
    headers: header::HeaderMap,
    body: Bytes,
}

impl ImportFile {
    /// The file's table.
    pub async fn table(self) -> Result<Table, ApiError> {
        match self.format {
            Some(format) => parse(format, &self.body),
            None => {
                let (format, file) = multipart_file(&self.headers, self.body).await?;
                parse(format, &file)
            }
        }
    }
}

impl FromRequest for ImportFile {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let essence = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        let format = match essence.as_deref() {
            Some(super::export::CSV) => Ok(Some(FileFormat::Csv)),
            Some(super::export::XLSX) => Ok(Some(FileFormat::Xlsx)),
            Some("multipart/form-data") => Ok(None),
            _ => Err(ApiError::UnsupportedMediaType { accepted: ACCEPTED }),
        };
        let headers = req.headers().clone();
        let read = crate::api::body::read_body_up_to(req, payload, Some(IMPORT_MAX_BYTES));
        Box::pin(async move {
            let format = format?;
            Ok(ImportFile {
                format,
                headers,
                body: read.await?,
            })
        })
    }
}

/// A 422 naming the file.
fn bad_file(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::Validation(vec![FieldError::new("file", code, message)])
}

/// The multipart field `file`, and its format: by its media type, else its
/// name, else its content (an XLSX file is a ZIP archive).
async fn multipart_file(headers: &header::HeaderMap, body: Bytes) -> Result<(FileFormat, Bytes), ApiError> {
    let stream = futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(body) });
    let mut form = actix_multipart::Multipart::new(headers, stream);
    let malformed = |e: actix_multipart::MultipartError| ApiError::BadRequest {
        detail: format!("the multipart body could not be read: {e}"),
        errors: Vec::new(),
    };
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
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad_file("format", format!("the CSV file cannot be read: {e}")))?;
        lines.push(record.iter().map(str::to_string).collect::<Vec<_>>());
    }
    let mut lines = lines.into_iter();
    Ok(Table {
        header: lines.next().unwrap_or_default(),
        rows: lines.collect(),
        guarded: true,
    })
}

fn parse_xlsx(bytes: &[u8]) -> Result<Table, ApiError> {
    use calamine::Reader;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad_file("format", format!("the file is not an XLSX workbook: {e}")))?;
    let sheet = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| bad_file("required", "the workbook has no sheet"))?
        .map_err(|e| bad_file("format", format!("the workbook's first sheet cannot be read: {e}")))?;
    // Rows are numbered from the sheet's first row, even when it starts lower.
    let skipped = sheet.start().map_or(0, |(row, _)| row as usize);
    let first_column = sheet.start().map_or(0, |(_, col)| col as usize);
    let mut lines: Vec<Vec<String>> = vec![Vec::new(); skipped];
    for row in sheet.rows() {
        let mut cells = vec![String::new(); first_column];
        cells.extend(row.iter().map(cell_text));
        lines.push(cells);
    }
    let mut lines = lines.into_iter();
    Ok(Table {
        header: lines.next().unwrap_or_default(),
        rows: lines.collect(),
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
                (status = 409, description = "A unique value was taken while the import ran", body = $crate::error::Problem, content_type = "application/problem+json"),
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
