//! Imports from spreadsheets: `POST /api/v1/<collection>/imports` with a
//! CSV or XLSX file as the body (its media type says which) or as the
//! multipart field `file`. The file's columns are those an export writes;
//! each row is judged as a create through the JSON API would be.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::StreamExt;
use utoipa::ToSchema;

use super::body::{read_body_under, BodyLimit};
use crate::error::{ApiError, FieldError};
use crate::model::import::{ImportReport, Table, MAX_IMPORT_ROWS};

/// The largest file an import takes.
pub const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// The most bytes the parts of an XLSX file may hold once decompressed
/// (a ZIP archive of 32 MiB could otherwise unpack to gigabytes).
const XLSX_MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// The most text a workbook may hold once decoded: its strings together,
/// and its cells' texts together, each cell counted (64 cells showing one
/// shared string of 100 MiB would be 6.4 GB of text): what a CSV file may.
const XLSX_MAX_TEXT_BYTES: u64 = IMPORT_MAX_BYTES as u64;

/// The longest text (between two tags) a workbook's part may hold: a cell
/// holds at most 32,767 characters, a formula 8,192.
const XLSX_MAX_RUN_BYTES: u64 = 1024 * 1024;

/// The most columns a file may have (a record type has fewer than 40).
const MAX_COLUMNS: usize = 64;

/// The most strings a workbook's shared-string table may declare (calamine
/// reserves room for each): one per cell an import takes.
const XLSX_MAX_STRINGS: u64 = (MAX_IMPORT_ROWS as u64 + 1) * MAX_COLUMNS as u64;

/// The seconds an import refused for want of a turn is told to wait.
const IMPORT_RETRY_AFTER: u64 = 5;

/// The imports that run at once in this process, and how long one waits for
/// its turn: an import's file, its table and its rows take memory (up to
/// hundreds of MiB for the largest files), so the process bounds them
/// together, not only one by one. A turn is taken before the body is read
/// and kept until the answer is made.
pub struct ImportTurns {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
}

impl ImportTurns {
    /// `at_once` turns (`CHANJIAO_IMPORTS_AT_ONCE`), each waited for at most
    /// `wait` (`CHANJIAO_IMPORT_WAIT`).
    pub fn new(at_once: usize, wait: std::time::Duration) -> Self {
        ImportTurns {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1))),
            wait,
        }
    }

    /// A turn, held until it is dropped; 503 with `Retry-After` when none
    /// frees up within the wait.
    pub async fn take(&self) -> Result<ImportTurn, ApiError> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(ImportTurn(std::sync::Arc::new(Held(permit)))),
            _ => Err(ApiError::Busy {
                retry_after: IMPORT_RETRY_AFTER,
                detail: "as many imports as the service runs at once are running",
            }),
        }
    }
}

/// Whether a request uploads a file to an import, for the middleware that
/// must know before the request is routed: the `Idempotency-Key` middleware
/// (which takes the import's turn and reads its body under [`body_limit`])
/// and the deadline (which spares imports). The import routes themselves
/// read their bodies through [`ImportFile`].
pub fn is_import(req: &HttpRequest) -> bool {
    req.method() == actix_web::http::Method::POST && req.path().ends_with("/imports")
}

/// The rules an import's body is read under: a file of up to
/// [`IMPORT_MAX_BYTES`] (or the configured limit, if larger), within the
/// timeout of every body.
pub fn body_limit(req: &HttpRequest) -> BodyLimit {
    BodyLimit::of(req).at_least(IMPORT_MAX_BYTES)
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
    /// The import's turn: the one the request already holds (taken by the
    /// Idempotency-Key middleware before it read the body), or a new one.
    pub async fn turn(&self, turns: &ImportTurns) -> Result<ImportTurn, ApiError> {
        let held = self.req.extensions().get::<ImportTurn>().cloned();
        match held {
            Some(turn) => Ok(turn),
            None => turns.take().await,
        }
    }

    /// The file's table: its media type (415), its size (413), its
    /// arrival (408), then its content (422), parsed on a blocking thread.
    pub async fn table(mut self, turn: &ImportTurn) -> Result<Table, ApiError> {
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
        let body = read_body_under(body_limit(&self.req), &self.req, &mut self.payload).await?;
        let (format, file) = match format {
            Some(format) => (format, body),
            None => multipart_file(self.req.headers(), body).await?,
        };
        let turn = turn.clone();
        let parsed = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            parse(format, &file)
        });
        match parsed.await {
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

/// One import's turn, shared by its request and its parse: a parse on a
/// blocking thread goes on when the request is dropped (its client went
/// away), and holds the turn until it ends. When the turn ends, the memory
/// the import freed goes back to the system: a table's many small texts
/// live in malloc's arenas, which glibc keeps (four imports of large
/// workbooks left 0.8 GiB resident).
#[derive(Clone)]
pub struct ImportTurn(#[allow(dead_code)] std::sync::Arc<Held>);

/// A turn's permit, given back when the last holder is done.
struct Held(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

impl Drop for Held {
    fn drop(&mut self) {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            // SAFETY: malloc_trim only returns free memory to the system.
            let trim = || unsafe {
                libc::malloc_trim(0);
            };
            // It may take a while on a large heap: not on a request's thread.
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => drop(runtime.spawn_blocking(trim)),
                Err(_) => trim(),
            }
        }
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
/// declared size may lie), or whose text is more than the parser should
/// hold (see [`XmlMeter`]): before the parser reads any of it.
fn check_parts(bytes: &[u8]) -> Result<(), ApiError> {
    let not_xlsx = |e: zip::result::ZipError| bad_file("format", format!("the file is not an XLSX workbook: {e}"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(not_xlsx)?;
    let mut left = XLSX_MAX_UNPACKED_BYTES;
    let mut text = 0u64;
    for index in 0..archive.len() {
        let part = archive.by_index(index).map_err(not_xlsx)?;
        // The parts calamine reads as XML (its shared strings are
        // `…/sharedStrings.xml`); an image is only unpacked.
        let name = part.name().map_err(not_xlsx)?.to_ascii_lowercase();
        let xml = name.ends_with(".xml");
        let kind = Part::of(&name);
        let mut part = std::io::Read::take(part, left + 1);
        let copied = match xml {
            true => {
                let mut meter = XmlMeter::new(&mut text);
                meter.part = kind;
                let copied = std::io::copy(&mut part, &mut meter);
                if let Some(refusal) = meter.refusal.take() {
                    return Err(refusal);
                }
                copied
            }
            false => std::io::copy(&mut part, &mut std::io::sink()),
        };
        let unpacked = copied.map_err(|e| bad_file("format", format!("the workbook cannot be unpacked: {e}")))?;
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
    check_parts(bytes)?;
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
    // The text of the cells so far: a shared string is copied into each
    // cell that shows it, so it is counted before it is copied.
    let mut decoded = 0u64;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        decoded += text.len() as u64;
        if decoded > XLSX_MAX_TEXT_BYTES {
            return Err(too_much_text());
        }
        let text = text.into_owned();
        let col = col as usize;
        if col >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        // The rows' span, whichever order they come in.
        let first_row = rows.keys().next().copied().unwrap_or(row).min(row);
        let last_row = rows.keys().next_back().copied().unwrap_or(row).max(row);
        if last_row - first_row > MAX_IMPORT_ROWS as u32 {
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

/// A 422 for a workbook with more text than an import takes.
fn too_much_text() -> ApiError {
    bad_file(
        "range",
        format!(
            "the workbook's text is more than {} MiB once its cells are read",
            XLSX_MAX_TEXT_BYTES / (1024 * 1024)
        ),
    )
}

/// An XLSX cell as text (a text cell's own, not yet copied): whole numbers
/// without a decimal point, dates as `YYYY-MM-DD` (a time of day after a
/// `T`), an error cell as Excel shows it.
fn cell_text<'a>(cell: &'a calamine::DataRef<'_>) -> std::borrow::Cow<'a, str> {
    use calamine::DataRef;
    use std::borrow::Cow;
    match cell {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::SharedString(text) => Cow::Borrowed(text),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => Cow::Borrowed(text),
        DataRef::Int(n) => Cow::Owned(n.to_string()),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Cow::Owned((*f as i64).to_string()),
        DataRef::Float(f) => Cow::Owned(f.to_string()),
        DataRef::Bool(b) => Cow::Owned(b.to_string()),
        DataRef::DateTime(date) => Cow::Owned(match date.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().format("%Y-%m-%d").to_string(),
            Some(at) => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => date.as_f64().to_string(),
        }),
        DataRef::Error(error) => Cow::Owned(error.to_string()),
    }
}

/// What an [`XmlMeter`] is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    /// Text between tags.
    Text,
    /// The first bytes after a `<`, until they say what follows.
    Open,
    /// A start or end tag, until its `>` (outside quotes).
    Tag,
    /// A comment, until `-->`.
    Comment,
    /// A CDATA section (text), until `]]>`.
    CData,
    /// A processing instruction (the XML declaration), until `?>`.
    Instruction,
}

/// A workbook part as an [`XmlMeter`] bounds it: calamine holds a part
/// whole, one value per element, except a worksheet, which it streams cell
/// by cell (and whose cells' text is counted as they are read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The shared-string table: at most [`XLSX_MAX_STRINGS`] strings (`<si>`).
    Strings,
    /// A worksheet.
    Sheet,
    /// Styles, the workbook, relationships, a theme: at most
    /// [`XLSX_MAX_OTHER_ELEMENTS`] elements each (a style, a font, a
    /// relationship are each a value kept).
    Other,
}

/// The most elements a part other than a worksheet or the shared strings
/// holds (a workbook with a thousand styles has a few thousand).
const XLSX_MAX_OTHER_ELEMENTS: u64 = 200_000;

impl Part {
    /// The part named `name` (lower case) in the package.
    fn of(name: &str) -> Part {
        if name.ends_with("sharedstrings.xml") {
            Part::Strings
        } else if name.contains("worksheets/") {
            Part::Sheet
        } else {
            Part::Other
        }
    }

    fn most_elements(self) -> u64 {
        match self {
            Part::Strings => XLSX_MAX_STRINGS,
            Part::Sheet => u64::MAX,
            Part::Other => XLSX_MAX_OTHER_ELEMENTS,
        }
    }
}

/// The most bytes of one tag an [`XmlMeter`] keeps to read it (a tag's
/// name and attributes; the shared-string table's is about 150).
const MAX_TAG_BYTES: usize = 4096;

/// Reads one part of a workbook as it is unpacked, before calamine parses
/// it, and refuses the workbook (`refusal`) when the part's strings (the
/// text of its `<t>` elements, which calamine keeps: a shared-string table
/// is read whole when the workbook is opened) bring the workbook's text
/// past [`XLSX_MAX_TEXT_BYTES`], when one text is longer than
/// [`XLSX_MAX_RUN_BYTES`], when a shared-string table declares more
/// strings than [`XLSX_MAX_STRINGS`] (calamine reserves room for them all
/// at once), or when the part is not UTF-8. Text is counted as written: an
/// entity (`&amp;`) decodes shorter, so the count bounds what calamine holds.
struct XmlMeter<'a> {
    /// The workbook's text so far (every part's).
    text: &'a mut u64,
    state: Markup,
    /// The bytes of the markup being read (at most [`MAX_TAG_BYTES`]).
    tag: Vec<u8>,
    /// Whether the markup was longer than what `tag` keeps.
    tag_cut: bool,
    /// The quote a tag's attribute value is in.
    quote: Option<u8>,
    /// What the part is, for what its elements may number.
    part: Part,
    /// The part's elements that count toward its bound (see [`Part`]).
    elements: u64,
    /// The two bytes before this one (for `-->`, `]]>`, `?>`).
    last: [u8; 2],
    /// Open `<t>` elements.
    in_t: u32,
    /// The length of the text being read.
    run: u64,
    /// The part's bytes so far.
    seen: u64,
    /// Why the workbook is refused, once it is.
    refusal: Option<ApiError>,
}

impl<'a> XmlMeter<'a> {
    fn new(text: &'a mut u64) -> Self {
        XmlMeter {
            text,
            state: Markup::Text,
            tag: Vec::new(),
            tag_cut: false,
            quote: None,
            part: Part::Other,
            elements: 0,
            last: [0; 2],
            in_t: 0,
            run: 0,
            seen: 0,
            refusal: None,
        }
    }

    /// Counts one byte of text.
    fn text_byte(&mut self) -> Result<(), ApiError> {
        self.run += 1;
        if self.run > XLSX_MAX_RUN_BYTES {
            return Err(bad_file(
                "range",
                format!(
                    "the workbook holds a text of more than {} MiB (a cell holds at most 32,767 characters)",
                    XLSX_MAX_RUN_BYTES / (1024 * 1024)
                ),
            ));
        }
        if self.in_t > 0 {
            *self.text += 1;
            if *self.text > XLSX_MAX_TEXT_BYTES {
                return Err(too_much_text());
            }
        }
        Ok(())
    }

    /// Keeps one byte of the markup being read.
    fn keep(&mut self, byte: u8) {
        match self.tag.len() < MAX_TAG_BYTES {
            true => self.tag.push(byte),
            false => self.tag_cut = true,
        }
    }

    /// A tag has ended: `<t>` and `</t>` open and close strings; the
    /// shared-string table's count is checked.
    fn tag_read(&mut self) -> Result<(), ApiError> {
        let tag = self.tag.as_slice();
        let (closing, tag) = match tag.strip_prefix(b"/") {
            Some(rest) => (true, rest),
            None => (false, tag),
        };
        let name_end = tag
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        let empty = tag.trim_ascii_end().ends_with(b"/");
        let counted = match self.part {
            Part::Strings => local == b"si",
            Part::Sheet => false,
            Part::Other => true,
        };
        if counted && !closing {
            self.elements += 1;
            if self.elements > self.part.most_elements() {
                return Err(bad_file(
                    "range",
                    format!(
                        "a part of the workbook holds more than {} elements",
                        self.part.most_elements()
                    ),
                ));
            }
        }
        match (local, closing) {
            (b"t", true) => self.in_t = self.in_t.saturating_sub(1),
            (b"t", false) if !empty => self.in_t += 1,
            (b"sst", false) => {
                let declared = match self.tag_cut {
                    true => None,
                    false => attribute(&tag[name_end..], b"uniqueCount"),
                };
                let too_many = match declared {
                    Some(value) => value.len() > 12 || value.parse::<u64>().is_ok_and(|n| n > XLSX_MAX_STRINGS),
                    None => self.tag_cut,
                };
                if too_many {
                    return Err(bad_file(
                        "range",
                        format!("the workbook declares more than {XLSX_MAX_STRINGS} strings"),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The XML declaration has ended: its encoding must be UTF-8.
    fn instruction_read(&mut self) -> Result<(), ApiError> {
        let declaration = self.tag.as_slice();
        if declaration.starts_with(b"?xml") {
            if let Some(encoding) = attribute(&declaration[4..], b"encoding") {
                if !encoding.eq_ignore_ascii_case("utf-8") && !encoding.eq_ignore_ascii_case("utf8") {
                    return Err(not_utf8_part());
                }
            }
        }
        Ok(())
    }

    /// Reads one byte.
    fn byte(&mut self, byte: u8) -> Result<(), ApiError> {
        self.seen += 1;
        let [before_last, last] = self.last;
        // UTF-16, with its byte-order mark or without.
        if self.seen == 2 && matches!([last, byte], [0xFF, 0xFE] | [0xFE, 0xFF] | [b'<', 0] | [0, b'<']) {
            return Err(not_utf8_part());
        }
        self.last = [last, byte];
        match self.state {
            Markup::Text if byte == b'<' => {
                self.state = Markup::Open;
                self.tag.clear();
                self.tag_cut = false;
                self.run = 0;
            }
            Markup::Text => self.text_byte()?,
            Markup::Open => {
                self.keep(byte);
                let opened = self.tag.as_slice();
                if opened == b"!--" {
                    self.state = Markup::Comment;
                    self.last = [0; 2];
                } else if opened == b"![CDATA[" {
                    self.state = Markup::CData;
                    self.last = [0; 2];
                } else if b"!--".starts_with(opened) || b"![CDATA[".starts_with(opened) {
                    // Not known yet.
                } else if opened[0] == b'?' {
                    self.state = Markup::Instruction;
                } else if opened[0] == b'!' {
                    // A DOCTYPE (which Excel never writes) is read by the
                    // parser otherwise than here, and would let a part's
                    // text pass unmetered.
                    return Err(bad_file(
                        "format",
                        "the workbook's XML holds a declaration (<!DOCTYPE …>), which Excel never writes",
                    ));
                } else {
                    self.tag.clear();
                    self.quote = None;
                    self.state = Markup::Tag;
                    return self.byte_of_tag(byte);
                }
            }
            Markup::Tag => return self.byte_of_tag(byte),
            Markup::Comment => {
                if [before_last, last, byte] == *b"-->" {
                    self.state = Markup::Text;
                }
            }
            Markup::CData => {
                if [before_last, last, byte] == *b"]]>" {
                    self.state = Markup::Text;
                } else {
                    self.text_byte()?;
                }
            }
            Markup::Instruction => {
                if last == b'?' && byte == b'>' {
                    self.state = Markup::Text;
                    return self.instruction_read();
                }
                self.keep(byte);
            }
        }
        Ok(())
    }

    /// Reads one byte of a start or end tag.
    fn byte_of_tag(&mut self, byte: u8) -> Result<(), ApiError> {
        match (self.quote, byte) {
            (Some(quote), _) if byte == quote => self.quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => self.quote = Some(byte),
            (None, b'>') => {
                self.state = Markup::Text;
                return self.tag_read();
            }
            _ => {}
        }
        self.keep(byte);
        Ok(())
    }
}

impl std::io::Write for XmlMeter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for byte in bytes {
            if let Err(refusal) = self.byte(*byte) {
                self.refusal = Some(refusal);
                return Err(std::io::Error::other("the workbook is refused"));
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A 422 for a workbook part in another encoding than UTF-8 (which Excel
/// always writes; calamine would decode it to longer text than it reads).
fn not_utf8_part() -> ApiError {
    bad_file(
        "encoding",
        "the workbook's parts are not UTF-8: save it again from Excel or WPS",
    )
}

/// The value of the attribute `name` among a tag's attributes, if it has
/// one (quoted with `"` or `'`).
fn attribute<'t>(attributes: &'t [u8], name: &[u8]) -> Option<&'t str> {
    let mut rest = attributes;
    loop {
        rest = rest.trim_ascii_start();
        let key_end = rest.iter().position(|b| *b == b'=' || b.is_ascii_whitespace())?;
        let key = &rest[..key_end];
        rest = rest[key_end..]
            .trim_ascii_start()
            .strip_prefix(b"=")?
            .trim_ascii_start();
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_end = rest[1..].iter().position(|b| *b == quote)?;
        let value = &rest[1..1 + value_end];
        if key == name {
            return std::str::from_utf8(value).ok();
        }
        rest = &rest[value_end + 2..];
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

/// The description of the import operation of `collection`.
pub fn import_text(collection: &str) -> String {
    format!(
        "The body is a CSV (UTF-8) or XLSX file, sent as itself with its media type or as the multipart field `file`, at most 32 MiB and 50,000 rows. \
         Its first row names the columns as an export of `GET /api/v1/{collection}` heads them (`名称 name`, or the field `name`, or the Chinese `名称`); \
         an exported file imports back (`id`, `version`, times and other columns the service sets are ignored). Empty cells are absent fields; lists and objects are JSON, as an export writes them. \
         Every row is judged as `POST /api/v1/{collection}` would judge it (field rules, your role, references, unique values, also between rows of the file). \
         `dry_run=true` reports without writing (200). Otherwise every row is imported in one transaction (201), or, when any row is bad, nothing (422); \
         `partial=true` imports every good row and reports the bad ones (201), a row that a concurrent writer made fail (a unique value it took meanwhile) among them; when no row is good, nothing (422). \
         Problems are listed with their `row` and `column`, at most the first 1,000 by row, and every one is counted per column and code (`error_counts`). \
         A few imports run at once (`CHANJIAO_IMPORTS_AT_ONCE`); another waits its turn (`CHANJIAO_IMPORT_WAIT`), else 503 with `Retry-After`. Each imported row is audited as a create."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text an [`XmlMeter`] counts in `xml`, or the code of its refusal.
    fn metered(xml: &[u8]) -> Result<u64, String> {
        let mut text = 0;
        let mut meter = XmlMeter::new(&mut text);
        let written = std::io::Write::write_all(&mut meter, xml);
        match meter.refusal.take() {
            Some(ApiError::Validation(errors)) => Err(errors[0].code.clone()),
            Some(other) => Err(other.to_string()),
            None => {
                written.unwrap();
                Ok(text)
            }
        }
    }

    #[test]
    fn the_meter_counts_the_text_of_strings_however_they_are_written() {
        // Plain, prefixed, rich-text runs, CDATA (with its `]]`), entities as written.
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?><sst uniqueCount="3"><si><t>abc</t></si><si><x:t xml:space="preserve">de</x:t></si><si><r><t>f</t></r><r><t><![CDATA[gh]]></t></r></si><si><t>&amp;</t></si></sst>"#;
        assert_eq!(metered(xml), Ok(3 + 2 + 1 + 4 + 5));
        // Not strings: text outside `<t>`, comments, a `>` inside an attribute, empty elements.
        let xml = br#"<sst><!-- <t>no</t> --><si a=">" b='<t>'><t/>outside</si></sst>"#;
        assert_eq!(metered(xml), Ok(0));
    }

    /// The code of the refusal of `xml` as a part of `kind`, if any.
    fn metered_as(kind: Part, xml: &[u8]) -> Option<String> {
        let mut text = 0;
        let mut meter = XmlMeter::new(&mut text);
        meter.part = kind;
        let _ = std::io::Write::write_all(&mut meter, xml);
        match meter.refusal.take() {
            Some(ApiError::Validation(errors)) => Some(errors[0].code.clone()),
            Some(other) => Some(other.to_string()),
            None => None,
        }
    }

    #[test]
    fn the_meter_refuses_a_doctype_which_the_parser_would_read_otherwise() {
        // A quote inside the DOCTYPE's brackets: a scan that honoured it
        // would have skipped the rest, while the parser reads on after `]>`.
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [']><sst uniqueCount="100000000000000"><si><t>a</t></si></sst>"#;
        assert_eq!(metered(xml), Err("format".into()));
        assert_eq!(metered(br#"<!DOCTYPE x><x/>"#), Err("format".into()));
    }

    #[test]
    fn the_meter_bounds_the_elements_the_parser_keeps_one_value_each() {
        let flood = |tag: &str, n: u64| {
            let mut xml = b"<r>".to_vec();
            for _ in 0..n {
                xml.extend_from_slice(tag.as_bytes());
            }
            xml
        };
        assert_eq!(
            metered_as(Part::Other, &flood("<xf/>", XLSX_MAX_OTHER_ELEMENTS - 1)),
            None
        );
        assert_eq!(
            metered_as(Part::Other, &flood("<xf/>", XLSX_MAX_OTHER_ELEMENTS)),
            Some("range".into())
        );
        assert_eq!(metered_as(Part::Strings, &flood("<si/>", XLSX_MAX_STRINGS)), None);
        assert_eq!(
            metered_as(Part::Strings, &flood("<si/>", XLSX_MAX_STRINGS + 1)),
            Some("range".into())
        );
        // A worksheet is read cell by cell: its cells are not counted here.
        assert_eq!(
            metered_as(Part::Sheet, &flood("<c/>", XLSX_MAX_OTHER_ELEMENTS * 2)),
            None
        );
        assert_eq!(Part::of("xl/sharedstrings.xml"), Part::Strings);
        assert_eq!(Part::of("xl/worksheets/sheet1.xml"), Part::Sheet);
        assert_eq!(Part::of("xl/styles.xml"), Part::Other);
    }

    #[test]
    fn the_meter_refuses_a_huge_declared_count_a_long_text_and_other_encodings() {
        assert_eq!(metered(br#"<sst uniqueCount="3200064"/>"#), Ok(0));
        assert_eq!(
            metered(br#"<sst count="1" uniqueCount='4000000000'>"#),
            Err("range".into())
        );
        assert_eq!(metered(br#"<sst uniqueCount="0000000000001">"#), Err("range".into()));
        let mut long = b"<v>".to_vec();
        long.extend(std::iter::repeat_n(b'1', XLSX_MAX_RUN_BYTES as usize + 1));
        assert_eq!(metered(&long), Err("range".into()));
        assert_eq!(
            metered(br#"<?xml version="1.0" encoding="GB18030"?><sst/>"#),
            Err("encoding".into())
        );
        assert_eq!(metered(b"\xff\xfe<\x00s\x00"), Err("encoding".into()));
        assert_eq!(metered(b"<\x00s\x00"), Err("encoding".into()));
    }
}
