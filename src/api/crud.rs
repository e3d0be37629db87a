//! The five operations every collection has, declared once: list, create,
//! read, merge-patch and delete, each a thin handler (one policy check, one
//! service call) that documents itself in the OpenAPI document.
//!
//! A collection invokes [`crud_api!`](crate::crud_api) with its names, its
//! types, its policy function (`fn(&Principal, Access, Option<Uuid>)`) and
//! its service module, which offers `list`, `create`, `get`, `update` and
//! `delete` taking the caller. Operations a collection has beyond these are
//! written beside the invocation and named in its `more` list, so that they
//! share the collection's scope.

/// The answer to a write the role forbids: 404 when the caller may read
/// the type and `lookup` (a read of the record) finds none, so that an
/// unknown id is 404 for everyone who may read, before the role's 403.
pub async fn unknown_or<T>(
    refused: crate::error::ApiError,
    may_read: bool,
    lookup: impl std::future::Future<Output = Result<T, crate::error::ApiError>>,
) -> crate::error::ApiError {
    if may_read {
        if let Err(crate::error::ApiError::NotFound) = lookup.await {
            return crate::error::ApiError::NotFound;
        }
    }
    refused
}

/// The `200` answer of a list: the page's JSON (a shared page's written once).
pub fn page_response(
    page: &impl crate::model::list::PageBody,
) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
    let json = page.json().map_err(|e| crate::error::ApiError::Internal(e.into()))?;
    Ok(actix_web::HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(json))
}

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use super::body::JsonBody;
use super::caller::Caller;
use super::conditional::{created, with_etag, IfMatch, IfNoneMatch};
use super::export::{ExportQuery, Wanted};
use super::query::Query;
use super::AppState;
use crate::error::ApiError;
use crate::model::import::{decode_rows, ImportQuery};
use crate::model::list::{ListRequest, PageQuery, SearchQuery, SortQuery};
use crate::model::resource::{Create, Record};
use crate::service::resource::{self, Stored};

pub use super::collection::{CREATE_TEXT, DELETE_TEXT, GET_TEXT};

/// What every handler of a collection reads of its request: the shared
/// state and the caller.
pub struct Call {
    /// The shared state.
    pub state: web::Data<AppState>,
    /// The caller its token stands for.
    pub caller: Caller,
}

impl FromRequest for Call {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the app state is missing")))?;
            Ok(Call {
                state,
                caller: caller.await?,
            })
        })
    }
}

/// What a list reads of its query string: the page, `q`, the sort, the
/// resource's filters and the export format.
pub struct ListQuery<F: crate::model::resource::Resource> {
    req: HttpRequest,
    page: PageQuery,
    search: SearchQuery,
    sort: SortQuery<F::Sort>,
    filters: F::Filters,
    export: ExportQuery,
}

impl<F: crate::model::resource::Resource> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts = (
            Query::<PageQuery>::from_request(req, payload).into_inner(),
            Query::<SearchQuery>::from_request(req, payload).into_inner(),
            Query::<SortQuery<F::Sort>>::from_request(req, payload).into_inner(),
            Query::<F::Filters>::from_request(req, payload).into_inner(),
            Query::<ExportQuery>::from_request(req, payload).into_inner(),
        );
        let req = req.clone();
        Box::pin(async move {
            Ok(ListQuery {
                req,
                page: parts.0?.0,
                search: parts.1?.0,
                sort: parts.2?.0,
                filters: parts.3?.0,
                export: parts.4?.0,
            })
        })
    }
}

/// Answers a list: one page as JSON, or the whole list as CSV or XLSX.
pub async fn list<F: Stored>(call: Call, query: ListQuery<F>) -> Result<HttpResponse, ApiError> {
    resource::may_read::<F>(&call.caller)?;
    let wanted = Wanted::of(&query.req, &query.export)?;
    let request = ListRequest::new(&query.page, Some(&query.search), query.sort.order(), &query.filters)?;
    let filters = std::sync::Arc::new(query.filters);
    let Call { state, caller } = call;
    wanted
        .answer(F::COLLECTION, request, move |request| {
            let (state, caller, filters) = (state.clone(), caller.clone(), filters.clone());
            async move { resource::list::<F>(&state.db, &caller, &filters, &request).await }
        })
        .await
}

/// Answers a list without text search whose filters the handler has read
/// and completed (a placement's check-ins or journals: the placement from
/// the path): `q` is a 400 naming it; one page as JSON, or the whole list
/// as CSV or XLSX. The caller's right to read the collection is checked first.
pub async fn list_filtered<F: Stored>(
    req: &HttpRequest,
    call: Call,
    page: &PageQuery,
    search: &SearchQuery,
    sort: crate::model::list::Sort<F::Sort>,
    filters: F::Filters,
    export: &ExportQuery,
) -> Result<HttpResponse, ApiError> {
    resource::may_read::<F>(&call.caller)?;
    search.refuse_q(&format!("{} have no text search", F::COLLECTION))?;
    let wanted = Wanted::of(req, export)?;
    let request = ListRequest::new(page, Some(search), sort, &filters)?;
    let filters = std::sync::Arc::new(filters);
    let Call { state, caller } = call;
    wanted
        .answer(F::COLLECTION, request, move |request| {
            let (state, caller, filters) = (state.clone(), caller.clone(), filters.clone());
            async move { resource::list::<F>(&state.db, &caller, &filters, &request).await }
        })
        .await
}

/// Answers a create: 201 with the record, its `Location` and its `ETag`.
pub async fn create<F: Stored>(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let record = resource::create::<F>(&call.state.db, &call.caller, body.bytes()).await?;
    Ok(created(F::COLLECTION, record.id, record.version).json(record))
}

/// Answers a read of one record, or 304 when `If-None-Match` names its version.
pub async fn get<F: Stored>(call: Call, id: Uuid, if_none_match: IfNoneMatch) -> Result<HttpResponse, ApiError> {
    let record = resource::get::<F>(&call.state.db, &call.caller, id).await?;
    Ok(if_none_match
        .not_modified(record.version)
        .unwrap_or_else(|| with_etag(HttpResponse::Ok(), record.version).json(record)))
}

/// Answers a merge patch with the changed record and its `ETag`.
pub async fn update<F: Stored>(
    call: Call,
    id: Uuid,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let record = resource::update::<F>(&call.state.db, &call.caller, id, if_match.0, body.bytes()).await?;
    Ok(with_etag(HttpResponse::Ok(), record.version).json(record))
}

/// Answers a delete: 204.
pub async fn delete<F: Stored>(call: Call, id: Uuid, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    resource::delete::<F>(&call.state.db, &call.caller, id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Answers an import, `POST /<collection>/imports`: the caller's right to
/// create (403, before anything of the file is read), the import's turn
/// (503), the file (415, 413, 408, 422), then its rows, each judged as a
/// create (200 for a dry run, 201 when rows were written).
pub async fn import<F: Stored>(
    call: Call,
    query: Query<ImportQuery>,
    file: super::import::ImportFile,
) -> Result<HttpResponse, ApiError> {
    resource::may_create::<F>(&call.caller)?;
    // Held until the answer is made (the body is read under it).
    let turn = file.turn(&call.state.imports).await?;
    let rows = decode_rows::<Record<F>, Create<F>>(&file.table(&turn).await?)?;
    let report = resource::import::<F>(&call.state.db, &call.caller, rows, query.options()).await?;
    Ok(super::import::answer(&report))
}

/// The scope of a collection's routes below `/api/v1`, naming its resource
/// type for the refusal audit.
pub fn scope<F: crate::model::resource::Resource>() -> utoipa_actix_web::scope::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    utoipa_actix_web::scope(format!("/{}", F::COLLECTION).as_str()).app_data(F::TYPE)
}

/// The query parameters of a list, in the document: the page, `q`, the
/// sort, the resource's filters and the export format.
pub struct ListParams<F>(std::marker::PhantomData<F>);

impl<F: crate::model::resource::Resource> utoipa::IntoParams for ListParams<F>
where
    F::Filters: utoipa::IntoParams,
{
    fn into_params(
        parameter_in: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        let mut params = PageQuery::into_params(&parameter_in);
        params.extend(SearchQuery::into_params(&parameter_in));
        params.extend(SortQuery::<F::Sort>::into_params(&parameter_in));
        params.extend(F::Filters::into_params(&parameter_in));
        params.extend(ExportQuery::into_params(&parameter_in));
        params
    }
}
