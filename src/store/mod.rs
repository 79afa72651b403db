//! Files and environment: loading rules, locks, atomic writes.
