//! The clock of the wait loops: a deadline, and the pause between two
//! questions to the server.

use std::time::{Duration, Instant};

/// How long a wait loop sleeps between two GETs.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// When a wait gives up.
/// `None`: beyond what the clock can name, so never.
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// `timeout` from now.
    pub(crate) fn after(timeout: Duration) -> Deadline {
        Deadline(Instant::now().checked_add(timeout))
    }

    pub(crate) fn passed(&self) -> bool {
        self.0.is_some_and(|end| Instant::now() >= end)
    }

    /// Sleeps until the next question.
    pub(crate) fn pause(&self) {
        std::thread::sleep(POLL_INTERVAL);
    }
}
