//! `fixdex serve`: open (and refresh) the index, then hand it to the server.

use super::open::open_engine;
use super::{Cli, McpArgs, ServeArgs};
use crate::serve::{self, ServeOptions};
use anyhow::Result;
use std::io::Write;
use std::net::SocketAddr;

/// Runs `fixdex serve` until the process is stopped.
pub(super) fn run(cli: &Cli, a: &ServeArgs) -> Result<u8> {
    let engine = open_engine(cli, a.read_only)?;
    let opts = ServeOptions {
        index_dir: cli.index.clone(),
        addr: SocketAddr::new(a.addr, a.port),
        read_only: a.read_only,
        cors: a.cors.clone(),
    };
    serve::run(engine, &opts, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "fixdex: serving http://{addr}/ (API under /api, stop with Ctrl-C)"
        );
        let _ = out.flush();
    })?;
    Ok(0)
}

/// Runs `fixdex mcp` until the client closes standard input.
pub(super) fn mcp(cli: &Cli, a: &McpArgs) -> Result<u8> {
    let engine = open_engine(cli, a.read_only)?;
    serve::mcp::run(engine, cli.index.clone(), a.read_only)?;
    Ok(0)
}
