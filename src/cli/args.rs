//! Command-line definition (clap derive). Help text, shell completions and
//! the man page are all generated from these doc comments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// fixdex: find the section of your help articles that fixes a problem,
/// offline, in milliseconds.
///
/// Exit status: 0 when something was found (or the command succeeded),
/// 1 when a query found nothing, 2 on errors.
#[derive(Debug, Parser)]
#[command(name = "fixdex", version, about, long_about)]
pub struct Cli {
    /// Index directory.
    #[arg(
        long,
        global = true,
        env = "FIXDEX_INDEX",
        default_value = "index",
        value_name = "DIR"
    )]
    pub index: PathBuf,

    /// Corpus directory. An index remembers the corpus it was built from and
    /// every command uses that one; naming another is an error. Without an
    /// index: ./corpus.
    #[arg(long, global = true, env = "FIXDEX_CORPUS", value_name = "DIR")]
    pub corpus: Option<PathBuf>,

    /// A local sentence-transformers model directory (config.json,
    /// tokenizer.json, model.safetensors) for `index --semantic`; for the
    /// other commands it replaces the model the index recorded.
    #[arg(long, global = true, env = "FIXDEX_MODEL", value_name = "DIR")]
    pub model: Option<PathBuf>,

    /// When to use colour on standard output (never when NO_COLOR is set).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index a corpus of Markdown articles (incremental).
    Index(IndexArgs),
    /// Answer a problem description with the best-matching section.
    Query(QueryArgs),
    /// Print one section in full by its id.
    Show(ShowArgs),
    /// Show what the index holds.
    Stats(StatsArgs),
    /// Relevance check: run a file of queries with expected sections.
    Eval(EvalArgs),
    /// Serve a help page and a JSON API on this machine, re-indexing as
    /// articles change.
    Serve(ServeArgs),
    /// Answer AI assistants over the Model Context Protocol (stdio): tools
    /// search_help and show_section.
    Mcp(McpArgs),
    /// Print a shell completion script.
    Completions {
        /// Shell to generate for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// `fixdex index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Corpus directory or file (default: the one the index was built from,
    /// else --corpus, else ./corpus).
    pub corpus: Option<PathBuf>,
    /// Start over instead of updating the index.
    #[arg(long)]
    pub rebuild: bool,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Wait for another fixdex process that is indexing instead of failing.
    #[arg(long)]
    pub wait: bool,
    /// Do not index: check the index against the corpus and the manifest,
    /// verify the checksums of every index file, and report drift or damage
    /// (exit 1 when there is any).
    #[arg(long, conflicts_with = "rebuild")]
    pub check: bool,
    /// Re-hash every corpus file, to find edits that kept the size and
    /// modification time (reads the whole corpus); with --check, report them.
    #[arg(long)]
    pub deep: bool,
    /// Follow symbolic links in the corpus (by default they are listed as
    /// skipped); remembered by the index.
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Also store a sentence vector per section, made by the model in
    /// --model (or FIXDEX_MODEL), so queries are re-ranked by meaning as
    /// well as by words; remembered by the index until --rebuild.
    #[arg(long)]
    pub semantic: bool,
}

/// `fixdex query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The problem, in your own words (quotes optional).
    #[arg(required_unless_present = "stdin", num_args = 0..)]
    pub text: Vec<String>,
    /// Number of hits (1–100).
    #[arg(long, short = 'n', default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub limit: u16,
    /// Print one JSON object.
    #[arg(long, conflicts_with = "jsonl")]
    pub json: bool,
    /// Print one JSON object per line.
    #[arg(long)]
    pub jsonl: bool,
    /// Only articles with this front-matter tag (repeatable).
    #[arg(long = "tag", value_name = "T")]
    pub tags: Vec<String>,
    /// Only articles with this front-matter category (repeatable).
    #[arg(long = "category", value_name = "C")]
    pub categories: Vec<String>,
    /// Only articles in this language: a code such as `de` or a name such as
    /// German (repeatable; `fixdex stats` lists the languages of the index).
    #[arg(long = "lang", value_name = "L")]
    pub langs: Vec<String>,
    /// Read one query per line from standard input; answer each on its own JSON line.
    #[arg(long)]
    pub stdin: bool,
    /// Do not re-index when the corpus changed or the index is missing.
    #[arg(long)]
    pub no_refresh: bool,
    /// List every matching section, not at most 2 per article (all of an article leading the answer).
    #[arg(long)]
    pub all_sections: bool,
    /// Add per-field and per-term score contributions to JSON hits.
    #[arg(long)]
    pub explain: bool,
    /// Treat answers with a confidence below X (0–1) as no answer.
    #[arg(long, value_name = "X", default_value_t = 0.0)]
    pub min_confidence: f32,
}

/// `fixdex show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Section id, as in the JSON output (`path#anchor`).
    pub id: String,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `fixdex stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `fixdex serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (127.0.0.1: this machine only).
    #[arg(long, default_value = "127.0.0.1")]
    pub addr: std::net::IpAddr,
    /// Port to listen on (0: any free port; the URL is printed).
    #[arg(long, default_value_t = 7700)]
    pub port: u16,
    /// Never write the index: no re-indexing; follow the commits another
    /// fixdex makes to it.
    #[arg(long)]
    pub read_only: bool,
    /// Allow pages of other origins to call the API (CORS), e.g. `*` or
    /// `https://intranet.example`.
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
}

/// `fixdex mcp`.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Never write the index: no re-indexing; follow the commits another
    /// fixdex makes to it.
    #[arg(long)]
    pub read_only: bool,
}

/// `fixdex eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Tab-separated file: query, file(s) (`|`-separated, `*` for any), heading(s).
    pub queries: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when success@1 is below X.
    #[arg(long, value_name = "X")]
    pub min_success: Option<f64>,
    /// Do not re-index when the corpus changed.
    #[arg(long)]
    pub no_refresh: bool,
    /// Also run with each ranking piece switched off and print a table.
    #[arg(long)]
    pub ablate: bool,
}
