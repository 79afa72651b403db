//! The clock of the wait loops: a deadline, and the pause between two
//! questions to the server.

use std::time::{Duration, Instant};

/// How long a wait loop sleeps between two GETs.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// When a wait gives up.
pub(crate) struct Deadline(Instant);

impl Deadline {
    /// `timeout` from now.
    pub(crate) fn after(timeout: Duration) -> Deadline {
        Deadline(Instant::now() + timeout)
    }

    pub(crate) fn passed(&self) -> bool {
        Instant::now() >= self.0
    }

    /// Sleeps until the next question.
    pub(crate) fn pause(&self) {
        std::thread::sleep(POLL_INTERVAL);
    }
}
