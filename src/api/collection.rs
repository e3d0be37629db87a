//! A collection's five operations, registered and documented once for every
//! resource: `GET` and `POST` on `/{collection}`, `GET`, `PATCH` and
//! `DELETE` on `/{collection}/{id}`. A resource gives its texts ([`Docs`]);
//! the handlers are the generic ones of [`crud`](super::crud), and the
//! document's operations are built here from the resource's types (what
//! every operation shares, such as the error responses, is added by
//! [`docs`](super::docs) for all operations alike).

use std::marker::PhantomData;

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::{web, HttpResponse};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, Paths};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_actix_web::OpenApiFactory;
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{IfMatch, IfNoneMatch};
use super::crud::{self, Call, ListParams, ListQuery};
use super::import::{import_text, ImportFile, ImportUpload};
use crate::error::{ApiError, Problem, PROBLEM_JSON};
use crate::model::doc::{Components, FieldSchema};
use crate::model::import::{ImportQuery, ImportReport};
use crate::model::list::PageOf;
use crate::model::resource::{Create, Patch, Record, Resource};
use crate::service::resource::Stored;

/// The description of every create operation, after the resource's own summary.
pub const CREATE_TEXT: &str = "Every field's rule is checked at once: a 422 names each invalid field. A field your role may not set answers 403 naming it. Answers 201 with the record, its `Location` and `ETag`; send an `Idempotency-Key` to retry safely. The creation is audited.";
/// The description of every read of one record.
pub const GET_TEXT: &str = "Answers the record with its `ETag`; with `If-None-Match` set to that ETag, 304 without a body. Personal data is masked by role as the schema says.";
/// The description of every delete.
pub const DELETE_TEXT: &str = "Send `If-Match` with the ETag you read to delete only what you saw (412 if it changed since). A record that others still reference is kept (409). The deletion is audited.";
/// The `ETag` header's description.
const ETAG_TEXT: &str = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match";

/// A collection's texts in the document.
#[derive(Debug, Clone, Copy)]
pub struct Docs {
    /// The tag its operations carry.
    pub tag: &'static str,
    /// One record's name in operation ids (`base`: `create_base`).
    pub singular: &'static str,
    /// The list's summary.
    pub list: &'static str,
    /// The list's description.
    pub list_detail: &'static str,
    /// The description of a page.
    pub page: &'static str,
    /// The create's summary.
    pub create: &'static str,
    /// The read's summary.
    pub get: &'static str,
    /// The description of one record.
    pub one: &'static str,
    /// The patch's summary.
    pub update: &'static str,
    /// The patch's description.
    pub update_detail: &'static str,
    /// The delete's summary.
    pub delete: &'static str,
    /// The description of the `id` path parameter.
    pub id: &'static str,
    /// What a 409 to a create or a patch means.
    pub conflict: &'static str,
}

/// `/{collection}`: the list and the create.
pub struct Records<F> {
    docs: &'static Docs,
    resource: PhantomData<F>,
}

/// `/{collection}/{id}`: the read, the patch and the delete.
pub struct OneRecord<F> {
    docs: &'static Docs,
    resource: PhantomData<F>,
}

/// The two halves of a collection, to register in its scope (with any
/// operations of its own between them: `/{id}` would take `/imports` for an id).
pub fn collection<F: Stored>(docs: &'static Docs) -> (Records<F>, OneRecord<F>) {
    (
        Records {
            docs,
            resource: PhantomData,
        },
        OneRecord {
            docs,
            resource: PhantomData,
        },
    )
}

async fn list<F: Stored>(call: Call, query: ListQuery<F>) -> Result<HttpResponse, ApiError> {
    crud::list(call, query).await
}

async fn create<F: Stored>(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    crud::create::<F>(call, body).await
}

async fn get<F: Stored>(call: Call, id: web::Path<Uuid>, if_none_match: IfNoneMatch) -> Result<HttpResponse, ApiError> {
    crud::get::<F>(call, *id, if_none_match).await
}

async fn update<F: Stored>(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    crud::update::<F>(call, *id, if_match, body).await
}

async fn delete<F: Stored>(call: Call, id: web::Path<Uuid>, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    crud::delete::<F>(call, *id, if_match).await
}

impl<F: Stored> HttpServiceFactory for Records<F> {
    fn register(self, config: &mut AppService) {
        web::resource("")
            .route(web::get().to(list::<F>))
            .route(web::post().to(create::<F>))
            .register(config);
    }
}

impl<F: Stored> HttpServiceFactory for OneRecord<F> {
    fn register(self, config: &mut AppService) {
        // Another method is answered from the document, as a request no
        // route takes: `/{id}` also matches a sibling of its own
        // (`PUT /apprenticeships/imports` is a 405 allowing `POST`).
        web::resource("/{id}")
            .route(web::get().to(get::<F>))
            .route(web::patch().to(update::<F>))
            .route(web::delete().to(delete::<F>))
            .default_service(web::to(super::unknown_route))
            .register(config);
    }
}

/// An operation of the collection with its tag, texts and id.
fn operation(docs: &Docs, id: String, summary: &str, description: &str) -> OperationBuilder {
    OperationBuilder::new()
        .tag(docs.tag)
        .summary(Some(summary))
        .description(Some(description))
        .operation_id(Some(id))
}

/// A JSON response of the component `name`.
fn json(description: &str, name: &str, etag: bool, location: bool) -> Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new().schema(Some(Ref::from_schema_name(name))).build(),
    );
    let header = |text: &str| {
        HeaderBuilder::new()
            .schema(Some(String::schema()))
            .description(Some(text))
            .build()
    };
    if etag {
        response = response.header("ETag", header(ETAG_TEXT));
    }
    if location {
        response = response.header("Location", header("The new record's path"));
    }
    response.build()
}

/// A problem response (a 409).
fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(Problem::name())))
                .build(),
        )
        .build()
}

/// A request body of the component `name`, in each of `media`.
fn body(name: &str, media: &[&str]) -> utoipa::openapi::request_body::RequestBody {
    media
        .iter()
        .fold(RequestBodyBuilder::new(), |body, media| {
            body.content(
                *media,
                ContentBuilder::new().schema(Some(Ref::from_schema_name(name))).build(),
            )
        })
        .required(Some(Required::True))
        .build()
}

/// The `id` path parameter.
fn id_parameter(docs: &Docs) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(docs.id))
        .schema(Some(Uuid::field_schema()))
        .build()
}

/// The name of the page component of `F`, as utoipa names a generic (`PageOf_Base`).
fn page_name<F: Resource>() -> String {
    format!("{}_{}", <PageOf<Record<F>> as ToSchema>::name(), F::NAME)
}

/// The components of `F`'s operations: its record, create and patch
/// schemas, its page, the fields' own components and the problem.
fn components<F: Stored>(schemas: &mut Components) {
    use utoipa::__dev::ComposeSchema;
    schemas.push((F::NAME.to_string(), Record::<F>::schema()));
    schemas.push((Create::<F>::name().into_owned(), Create::<F>::schema()));
    schemas.push((Patch::<F>::name().into_owned(), Patch::<F>::schema()));
    let page: RefOr<Schema> = <PageOf<Record<F>> as ComposeSchema>::compose(vec![Record::<F>::schema()]);
    schemas.push((page_name::<F>(), page));
    Record::<F>::schemas(schemas);
    schemas.push((Problem::name().into_owned(), Problem::schema()));
    Problem::schemas(schemas);
}

impl<F: Stored> OpenApiFactory for Records<F>
where
    F::Filters: IntoParams,
{
    fn paths(&self) -> Paths {
        let docs = self.docs;
        let list = operation(docs, format!("list_{}", F::COLLECTION), docs.list, docs.list_detail)
            .parameters(Some(ListParams::<F>::into_params(|| None)))
            .response("200", json(docs.page, &page_name::<F>(), false, false));
        let create = operation(docs, format!("create_{}", docs.singular), docs.create, CREATE_TEXT)
            .request_body(Some(body(&Create::<F>::name(), &["application/json"])))
            .response(
                "201",
                json("Created; `Location` names the new record", F::NAME, true, true),
            )
            .response("409", problem(docs.conflict));
        let item = PathItem::new(HttpMethod::Get, list).merged(HttpMethod::Post, create);
        Paths::builder().path("", item).build()
    }

    fn schemas(&self, schemas: &mut Components) {
        components::<F>(schemas);
    }
}

impl<F: Stored> OpenApiFactory for OneRecord<F> {
    fn paths(&self) -> Paths {
        let docs = self.docs;
        let get = operation(docs, format!("get_{}", docs.singular), docs.get, GET_TEXT)
            .parameter(id_parameter(docs))
            .parameters(Some(IfNoneMatch::into_params(|| None)))
            .response("200", json(docs.one, F::NAME, true, false))
            .response(
                "304",
                ResponseBuilder::new()
                    .description("Not modified since the ETag in If-None-Match")
                    .build(),
            );
        let patch_name = Patch::<F>::name();
        let update = operation(
            docs,
            format!("update_{}", docs.singular),
            docs.update,
            docs.update_detail,
        )
        .parameter(id_parameter(docs))
        .parameters(Some(IfMatch::into_params(|| None)))
        .request_body(Some(body(
            &patch_name,
            &["application/merge-patch+json", "application/json"],
        )))
        .response("200", json("The changed record", F::NAME, true, false))
        .response("409", problem(docs.conflict));
        let delete = operation(docs, format!("delete_{}", docs.singular), docs.delete, DELETE_TEXT)
            .parameter(id_parameter(docs))
            .parameters(Some(IfMatch::into_params(|| None)))
            .response("204", ResponseBuilder::new().description("Deleted").build())
            .response("409", problem("Other records still reference it"));
        let item = PathItem::new(HttpMethod::Get, get)
            .merged(HttpMethod::Patch, update)
            .merged(HttpMethod::Delete, delete);
        Paths::builder().path("/{id}", item).build()
    }

    fn schemas(&self, schemas: &mut Components) {
        components::<F>(schemas);
    }
}

/// Adding an operation to a path item, as a builder step.
trait Merged {
    fn merged(self, method: HttpMethod, operation: impl Into<Operation>) -> Self;
}

impl Merged for PathItem {
    fn merged(mut self, method: HttpMethod, operation: impl Into<Operation>) -> Self {
        self.merge_operations(PathItem::new(method, operation));
        self
    }
}

/// `/{collection}/imports`: a spreadsheet's rows created as records, each
/// judged as a create (register it before [`OneRecord`], which would take
/// `imports` for an id).
pub struct Imports<F> {
    docs: &'static Docs,
    resource: PhantomData<F>,
}

/// The import operation of `F`'s collection.
pub fn imports<F: Stored>(docs: &'static Docs) -> Imports<F> {
    Imports {
        docs,
        resource: PhantomData,
    }
}

async fn import<F: Stored>(
    call: Call,
    query: super::query::Query<ImportQuery>,
    file: ImportFile,
) -> Result<HttpResponse, ApiError> {
    crud::import::<F>(call, query, file).await
}

impl<F: Stored> HttpServiceFactory for Imports<F> {
    fn register(self, config: &mut AppService) {
        web::resource("/imports")
            .route(web::post().to(import::<F>))
            .register(config);
    }
}

impl<F: Stored> OpenApiFactory for Imports<F> {
    fn paths(&self) -> Paths {
        let report = |description: &str| json(description, &ImportReport::name(), false, false);
        let text = || ContentBuilder::new().schema(Some(String::schema())).build();
        let file = RequestBodyBuilder::new()
            .description(Some("The file"))
            .content("text/csv", text())
            .content(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                text(),
            )
            .content(
                "multipart/form-data",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(ImportUpload::name())))
                    .build(),
            )
            .required(Some(Required::True))
            .build();
        let operation = OperationBuilder::new()
            .tag(self.docs.tag)
            .description(Some(import_text(F::COLLECTION)))
            .operation_id(Some(format!("import_{}", F::COLLECTION)))
            .parameters(Some(ImportQuery::into_params(|| None)))
            .request_body(Some(file))
            .response("200", report("A dry run's report: what an import would do"))
            .response("201", report("Imported: the records created, and the bad rows left out (with `partial=true`)"))
            .response("409", problem("A unique value was taken, or a referenced record deleted, while the import ran (without `partial=true`)"))
            .response("422", problem("The file cannot be read (`errors` names `file`), or rows are bad and nothing was imported: `errors` lists the first 1,000 problems, `error_counts` counts them all per column and code"))
            .response("503", problem("As many imports as the service runs at once are running; retry after `Retry-After` seconds"));
        Paths::builder()
            .path("/imports", PathItem::new(HttpMethod::Post, operation))
            .build()
    }

    fn schemas(&self, schemas: &mut Components) {
        for (name, schema) in [
            (ImportReport::name(), ImportReport::schema()),
            (ImportUpload::name(), ImportUpload::schema()),
        ] {
            schemas.push((name.into_owned(), schema));
        }
        ImportReport::schemas(schemas);
        ImportUpload::schemas(schemas);
        schemas.push((Problem::name().into_owned(), Problem::schema()));
    }
}
