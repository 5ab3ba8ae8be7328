//! The JSON API: `/api/query` (the `query --json` answer), `/api/section/{id}`
//! (`show --json`), `/api/stats`, `/healthz` and `/api/openapi.json`. Errors
//! are `{"error": "…"}` with the status that fits.

use super::{MAX_QUERY_CHARS, Offload, SEARCH_TIMEOUT, Shared};
use crate::search::{Answer, SearchOptions};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;

/// An error answer.
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self.message }))).into_response()
    }
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/query", get(query))
        .route("/api/section/{*id}", get(section))
        .route("/api/stats", get(stats))
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
}

/// The search options of a request's parameters: `q`, `limit`, and any
/// number of `tag`, `category` and `lang`.
pub(crate) fn search_request(params: &[(String, String)]) -> Result<(String, SearchOptions), ApiError> {
    let mut q = None;
    let mut opts = SearchOptions::default();
    for (k, v) in params {
        match k.as_str() {
            "q" => q = Some(v.clone()),
            "limit" => {
                opts.limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=100).contains(n))
                    .ok_or_else(|| {
                        ApiError::new(StatusCode::BAD_REQUEST, "limit must be a number from 1 to 100")
                    })?;
            }
            "tag" => opts.tags.push(v.clone()),
            "category" => opts.categories.push(v.clone()),
            "lang" => opts.langs.push(crate::text::lang::code_for(v)),
            _ => {}
        }
    }
    let q = q.unwrap_or_default();
    let chars = q.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("the query is {chars} characters; the limit is {MAX_QUERY_CHARS}"),
        ));
    }
    Ok((q, opts))
}

impl ApiError {
    /// The error for work that gave no result: `what` failed (with
    /// `status`), or took too long (503).
    pub(crate) fn offload(what: &str, status: StatusCode, e: Offload) -> ApiError {
        match e {
            Offload::Failed(why) => ApiError::new(status, format!("{what} failed: {why}")),
            Offload::TimedOut => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the {what} took longer than {} s", SEARCH_TIMEOUT.as_secs()),
            ),
        }
    }
}

/// Runs a search off the async threads, within [`SEARCH_TIMEOUT`].
pub(crate) async fn answer(shared: &Arc<Shared>, q: String, opts: SearchOptions) -> Result<Answer, ApiError> {
    shared
        .blocking(move |s| s.engine.search(&q, &opts))
        .await
        .map_err(|e| ApiError::offload("search", StatusCode::INTERNAL_SERVER_ERROR, e))
}

async fn query(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Answer>, ApiError> {
    let (q, opts) = search_request(&params)?;
    if q.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "give the query as q, e.g. /api/query?q=wifi+drops",
        ));
    }
    Ok(Json(answer(&shared, q, opts).await?))
}

async fn section(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let key = id.clone();
    let found = shared
        .blocking(move |s| s.engine.show(&key))
        .await
        .map_err(|e| ApiError::offload("lookup", StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let Some(section) = found else {
        return Err(ApiError::not_found(format!("no section has the id {id:?}")));
    };
    let mut v = serde_json::to_value(&section).unwrap_or_default();
    v["file"] = serde_json::Value::String(shared.engine.file_of(&section.path).display().to_string());
    Ok(Json(v).into_response())
}

async fn stats(State(shared): State<Arc<Shared>>) -> Result<Response, ApiError> {
    let stats = shared
        .blocking(|s| {
            let open = crate::index::open_index(&s.index_dir)?;
            crate::index::stats(&open, &s.index_dir)
        })
        .await
        .map_err(|e| ApiError::offload("stats", StatusCode::SERVICE_UNAVAILABLE, e))?;
    Ok(Json(stats).into_response())
}

async fn healthz(State(shared): State<Arc<Shared>>) -> Response {
    let sections = shared.engine.searcher().num_docs();
    Json(serde_json::json!({ "status": "ok", "sections": sections })).into_response()
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// The OpenAPI description of the routes above.
const OPENAPI: &str = include_str!("openapi.json");

#[cfg(test)]
mod tests {
    use super::*;

    fn params(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn request_parameters() {
        let (q, o) = search_request(&params(&[
            ("q", "wifi"),
            ("limit", "7"),
            ("tag", "a"),
            ("tag", "b"),
            ("lang", "German"),
        ]))
        .unwrap_or_else(|_| panic!("valid"));
        assert_eq!(q, "wifi");
        assert_eq!(o.limit, 7);
        assert_eq!(o.tags, ["a", "b"]);
        assert_eq!(o.langs, ["de"]);
        for bad in ["0", "101", "x"] {
            let e = search_request(&params(&[("q", "a"), ("limit", bad)]))
                .err()
                .unwrap();
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
        }
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        let e = search_request(&params(&[("q", &long)])).err().unwrap();
        assert_eq!(e.status, StatusCode::URI_TOO_LONG);
    }

    #[test]
    fn the_openapi_document_is_json_and_names_every_route() {
        let v: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        for path in ["/api/query", "/api/section/{id}", "/api/stats", "/healthz"] {
            assert!(v["paths"][path].is_object(), "{path}");
        }
    }
}
