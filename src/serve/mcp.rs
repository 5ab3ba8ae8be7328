//! `fixdex mcp`: a Model Context Protocol server over stdio (rmcp, the
//! official Rust SDK) for AI assistants. Two tools: `search_help` (the best
//! sections for a problem description) and `show_section` (one section by
//! id). The index is kept fresh the way `serve` keeps it (see `watch`).

use super::{Offload, Shared, watch};
use crate::search::{Engine, SearchOptions};
use anyhow::{Context, Result};
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;

/// `search_help` arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchArgs {
    /// The problem in the user's own words, e.g. "my texts won't send to one person".
    pub query: String,
    /// How many sections to return (1–20, default 5).
    #[serde(default)]
    pub limit: Option<u8>,
}

/// `show_section` arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ShowArgs {
    /// The `id` of a section from `search_help`.
    pub id: String,
}

/// One section, as the tools return it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SectionOut {
    /// Section id (for `show_section`).
    pub id: String,
    /// Its heading.
    pub heading: String,
    /// Article title down to the heading.
    pub breadcrumb: Vec<String>,
    /// `path:line` of the heading, path relative to the corpus.
    pub location: String,
    /// Absolute path of the file.
    pub file: String,
    /// Actionable steps (UI paths, numbered steps).
    pub steps: Vec<String>,
    /// Warnings the section gives.
    pub cautions: Vec<String>,
    /// The section's cleaned text.
    pub text: String,
    /// Share of the question the section matches, 0–1 (absent for `show_section`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

/// `search_help` result.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SearchOut {
    /// The best sections in rank order (the sections of the articles leading the answer come first, so a later one may score more); empty when nothing matches.
    pub sections: Vec<SectionOut>,
    /// The query with misspellings corrected, when any were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// The MCP server.
#[derive(Clone)]
pub struct HelpServer {
    shared: Arc<Shared>,
}

#[tool_router]
impl HelpServer {
    /// Finds the help sections that answer a problem description.
    #[tool(
        description = "Search the local help articles for the section that fixes a problem. Give the problem in plain words; returns the best sections with their steps, text, location and a confidence.",
        annotations(read_only_hint = true)
    )]
    async fn search_help(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<Json<SearchOut>, ErrorData> {
        if args.query.trim().is_empty() {
            return Err(ErrorData::invalid_params("query is empty", None));
        }
        if args.query.chars().count() > super::MAX_QUERY_CHARS {
            return Err(ErrorData::invalid_params(
                format!("query is over {} characters", super::MAX_QUERY_CHARS),
                None,
            ));
        }
        let opts = SearchOptions {
            limit: usize::from(args.limit.unwrap_or(5).clamp(1, 20)),
            ..SearchOptions::default()
        };
        let answer = self
            .shared
            .blocking(move |s| s.engine.search(&args.query, &opts))
            .await
            .map_err(|e| failed("search", e))?;
        let sections = answer
            .hits
            .into_iter()
            .map(|h| SectionOut {
                location: format!("{}:{}", h.path, h.line),
                id: h.id,
                heading: h.heading,
                breadcrumb: h.breadcrumb,
                file: h.file,
                steps: h.steps,
                cautions: h.cautions,
                text: h.text,
                confidence: Some(h.confidence),
            })
            .collect();
        Ok(Json(SearchOut {
            sections,
            suggestion: answer.suggestion,
        }))
    }

    /// One section in full.
    #[tool(
        description = "Show one help section in full by the id that search_help returned.",
        annotations(read_only_hint = true)
    )]
    async fn show_section(
        &self,
        Parameters(args): Parameters<ShowArgs>,
    ) -> Result<Json<SectionOut>, ErrorData> {
        let id = args.id.clone();
        let found = self
            .shared
            .blocking(move |s| s.engine.show(&id))
            .await
            .map_err(|e| failed("lookup", e))?;
        let Some(s) = found else {
            return Err(ErrorData::invalid_params(
                format!("no section has the id {:?}", args.id),
                None,
            ));
        };
        Ok(Json(SectionOut {
            location: format!("{}:{}", s.path, s.line),
            file: self.shared.engine.file_of(&s.path).display().to_string(),
            id: s.id,
            heading: s.heading,
            breadcrumb: s.breadcrumb,
            steps: s.steps,
            cautions: s.cautions,
            text: s.text,
            confidence: None,
        }))
    }
}

#[tool_handler]
impl ServerHandler for HelpServer {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::default();
        info.capabilities = ServerCapabilities::builder().enable_tools().build();
        info.server_info = Implementation::new("fixdex", env!("CARGO_PKG_VERSION"));
        info.instructions = Some(
            "Offline help index. Call search_help with the user's problem in their words; \
             answer from the best section's steps and text, and cite its location."
                .into(),
        );
        info
    }
}

/// The tool error for work that gave no result.
fn failed(what: &str, e: Offload) -> ErrorData {
    let why = match e {
        Offload::Failed(why) => why,
        Offload::TimedOut => format!("took longer than {} s", super::SEARCH_TIMEOUT.as_secs()),
    };
    ErrorData::internal_error(format!("{what} failed: {why}"), None)
}

/// Serves MCP on standard input and output until the client closes them.
pub fn run(engine: Engine, index_dir: PathBuf, read_only: bool) -> Result<()> {
    let shared = Shared::new(engine, index_dir, None);
    super::runtime()?.block_on(async move {
        watch::start(Arc::clone(&shared), read_only)?;
        let server = HelpServer { shared };
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .context("the MCP client did not complete the handshake")?;
        running.waiting().await.context("the MCP session failed")?;
        Ok(())
    })
}
