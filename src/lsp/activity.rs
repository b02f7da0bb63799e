//! When the server is quiet enough for background work.
//!
//! The workspace index reads and scans every story on disk. Started as the server starts, it
//! used to scan the very story the editor was opening (not open yet when its turn came) on the
//! cores the story's own analysis needed. So background work waits for a quiet moment: no
//! message arriving, none handled for [`QUIET`], and no open story waiting for its analysis;
//! and never longer than [`MAX_WAIT`] at a time, so that a client that never pauses still gets
//! its index. With the wait, the first diagnostics of a 1 MB story came 28–42 ms after it was
//! opened (median 31) against 29–70 ms (median 36) without it, those of 10 MB 279–318 ms
//! (median 296) against 313–552 ms (median 347): twelve opens of each build, alternated
//! (BENCHMARKS.md, "Opening a story").

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long the server must have handled no message before background work runs.
pub const QUIET: Duration = Duration::from_millis(20);

/// The longest background work waits for a quiet moment before it runs anyway.
pub const MAX_WAIT: Duration = Duration::from_secs(2);

/// How often a waiting task looks again.
const POLL: Duration = Duration::from_millis(5);

/// What the transport tells of the messages coming in: whether one is arriving, and when the
/// last was handed on.
#[derive(Debug)]
pub struct Activity {
    start: Instant,
    arriving: AtomicBool,
    /// Microseconds from `start` to the last message handed on (or to the last arrival begun).
    last: AtomicU64,
    /// How long to count as quiet: [`QUIET`], or `FRONTLINE_TEST_QUIET_MS` in tests that need a
    /// window no scheduling hiccup can open.
    quiet: Duration,
}

impl Default for Activity {
    fn default() -> Activity {
        let quiet = std::env::var("FRONTLINE_TEST_QUIET_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(QUIET, Duration::from_millis);
        Activity::with_quiet(quiet)
    }
}

impl Activity {
    pub fn with_quiet(quiet: Duration) -> Activity {
        Activity { start: Instant::now(), arriving: AtomicBool::new(false), last: AtomicU64::new(0), quiet }
    }

    fn touch(&self) {
        let now = u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.last.store(now, Ordering::Release);
    }

    /// A message's header has been read: its body is on its way (a large story takes a while).
    pub fn arriving(&self) {
        self.touch();
        self.arriving.store(true, Ordering::Release);
    }

    /// The message has been handed on (or rejected).
    pub fn handled(&self) {
        self.touch();
        self.arriving.store(false, Ordering::Release);
    }

    /// Whether no message is arriving and none was handled for the quiet window.
    pub fn is_quiet(&self) -> bool {
        if self.arriving.load(Ordering::Acquire) {
            return false;
        }
        let since = Duration::from_micros(self.last.load(Ordering::Acquire));
        self.start.elapsed().saturating_sub(since) >= self.quiet
    }
}

/// Waits until `quiet()` holds, or `max` has passed; returns whether it held.
pub async fn until_quiet(quiet: impl Fn() -> bool, max: Duration) -> bool {
    let deadline = Instant::now() + max;
    loop {
        if quiet() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_only_once_nothing_arrived_for_the_window() {
        // A window of 200 ms, so that no pause of the test's own thread can open it by mistake.
        let a = Activity::with_quiet(Duration::from_millis(200));
        let wait = || std::thread::sleep(Duration::from_millis(250));
        // Nothing has arrived yet, but the window has not passed since the start either.
        assert!(!a.is_quiet());
        wait();
        assert!(a.is_quiet());
        a.arriving();
        wait();
        assert!(!a.is_quiet(), "a message still arriving is not quiet, however long it takes");
        a.handled();
        assert!(!a.is_quiet(), "just handled");
        wait();
        assert!(a.is_quiet());
    }

    #[tokio::test]
    async fn waiting_ends_when_quiet_or_at_the_limit() {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let quiet_on_third = || calls.fetch_add(1, Ordering::Relaxed) >= 2;
        assert!(until_quiet(quiet_on_third, Duration::from_secs(5)).await);
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        let started = Instant::now();
        assert!(!until_quiet(|| false, Duration::from_millis(30)).await);
        assert!(started.elapsed() >= Duration::from_millis(30));
    }
}
