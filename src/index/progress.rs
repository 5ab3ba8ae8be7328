//! The progress bar of an indexing run.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// The progress bar of a run over `files` files (hidden when `on` is false):
/// whole files per second, and the time left at the average rate so far
/// (steadier than the recent rate, which swings with file sizes).
pub(super) fn bar(files: usize, on: bool) -> ProgressBar {
    if !on || files == 0 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{spinner} indexing [{bar:30}] {pos}/{len} files, {rate}, {left}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} files/s", average_rate(s));
            })
            .with_key("left", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let rate = average_rate(s);
                let left = s.len().unwrap_or(0).saturating_sub(s.pos()) as f64;
                let _ = if rate > 0.0 && s.pos() >= 20 {
                    write!(w, "about {:.0} s left", (left / rate).ceil())
                } else {
                    write!(w, "estimating")
                };
            })
            .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Files per second since the run started.
fn average_rate(s: &ProgressState) -> f64 {
    let secs = s.elapsed().as_secs_f64();
    if secs > 0.0 { s.pos() as f64 / secs } else { 0.0 }
}
