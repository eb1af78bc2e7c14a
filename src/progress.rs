//! Progress of registry requests on stderr: a bar with requests done out of requests started
//! and the file being fetched, shown only when stderr is a terminal (never in pipes, logs or
//! tests), and cleared before the command's own output.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;
use unilock_registries::http::{Failure, Observer};
use url::Url;

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A progress display, or `None` when stderr is not a terminal.
    pub fn new() -> Option<Self> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {pos}/{len} requests {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(Progress { bar })
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn last_segment(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()))
        .unwrap_or("")
        .to_string()
}

impl Observer for Progress {
    fn started(&self, url: &Url) {
        self.bar.inc_length(1);
        self.bar.set_message(last_segment(url));
    }

    fn finished(&self, _url: &Url) {
        self.bar.inc(1);
    }

    fn retrying(&self, url: &Url, failure: &Failure, delay: Duration) {
        self.bar.println(format!(
            "retrying {url} in {:.1}s: {failure}",
            delay.as_secs_f64()
        ));
    }
}
