//! `fixdex serve`: one process holds the index open and answers a help page
//! (`page`) and a JSON API (`api`) over HTTP, while `watch` re-indexes
//! changed articles in the background (or, read-only, follows the commits
//! another process makes).
//!
//! The HTTP stack is tokio, hyper and axum. Connections are served by
//! hyper directly so its limits can be set: a request head over
//! [`MAX_HEAD_BYTES`] is refused by hyper, a URI over 64 KB gets 414, and
//! a query over [`MAX_QUERY_CHARS`] gets 414 from the handler; bodies are
//! capped at [`MAX_BODY_BYTES`], and every search at [`SEARCH_TIMEOUT`].

mod api;
pub mod mcp;
mod page;
mod watch;

use crate::search::Engine;
use anyhow::{Context, Result};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower::Service;

/// Longest query answered, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest request line and headers hyper reads before refusing.
pub const MAX_HEAD_BYTES: usize = 4 * 1024 * 1024;
/// Longest a search may take before the request is answered with 503.
pub const SEARCH_TIMEOUT: Duration = Duration::from_secs(10);

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Index directory.
    pub index_dir: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Never write the index; follow other processes' commits.
    pub read_only: bool,
    /// Origin allowed to call the API from a browser page (CORS), if any.
    pub cors: Option<String>,
}

/// What every request handler shares.
pub(crate) struct Shared {
    engine: Engine,
    index_dir: PathBuf,
    cors: Option<HeaderValue>,
}

impl Shared {
    pub(crate) fn new(engine: Engine, index_dir: PathBuf, cors: Option<HeaderValue>) -> Arc<Shared> {
        Arc::new(Shared {
            engine,
            index_dir,
            cors,
        })
    }

    /// Runs `work` (a search, a lookup) on the blocking pool, off the async
    /// threads, within [`SEARCH_TIMEOUT`].
    pub(crate) async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Shared) -> Result<T> + Send + 'static,
    ) -> Result<T, Offload> {
        let s = Arc::clone(self);
        let task = tokio::task::spawn_blocking(move || work(&s));
        match tokio::time::timeout(SEARCH_TIMEOUT, task).await {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(Offload::Failed(e.to_string())),
            Ok(Err(e)) => Err(Offload::Failed(e.to_string())),
            Err(_) => Err(Offload::TimedOut),
        }
    }
}

/// Why [`Shared::blocking`] has no result.
pub(crate) enum Offload {
    /// The work failed, or panicked: why.
    Failed(String),
    /// It took longer than [`SEARCH_TIMEOUT`].
    TimedOut,
}

/// The runtime of a server: one worker per core.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")
}

/// Serves until the process is stopped. `ready` is called with the address
/// listened on (the real port when 0 was asked for).
pub fn run(engine: Engine, opts: &ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let cors = match &opts.cors {
        Some(o) => Some(HeaderValue::from_str(o).context("--cors is not a valid origin")?),
        None => None,
    };
    let shared = Shared::new(engine, opts.index_dir.clone(), cors);
    runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .with_context(|| format!("cannot listen on {}", opts.addr))?;
        let local = listener.local_addr()?;
        watch::start(Arc::clone(&shared), opts.read_only)?;
        ready(local);
        accept_loop(listener, router(shared)).await
    })
}

/// The routes.
fn router(shared: Arc<Shared>) -> Router {
    let cors = shared.cors.clone();
    Router::new()
        .merge(page::routes())
        .merge(api::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(move |mut r: Response| {
            let cors = cors.clone();
            async move {
                let h = r.headers_mut();
                h.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                if let Some(origin) = cors {
                    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                }
                r
            }
        }))
        .fallback(|| async { api::ApiError::not_found("no such page").into_response() })
        .with_state(shared)
}

/// Accepts connections and serves each on its own task.
async fn accept_loop(listener: tokio::net::TcpListener, app: Router) -> Result<()> {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(c) => c,
            // Out of file descriptors and the like: wait and go on.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| app.clone().call(req));
            let _ = hyper::server::conn::http1::Builder::new()
                .max_buf_size(MAX_HEAD_BYTES)
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}
