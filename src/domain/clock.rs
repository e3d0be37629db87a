//! "Today": the calendar day in the alliance's time zone
//! (`CHANJIAO_TIMEZONE`, default `Asia/Shanghai`), so that an action item
//! due yesterday in the county is overdue at 00:30 its time, whatever the
//! server's clock zone. The zone is set once per process at start-up.

use std::sync::OnceLock;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;

/// The zone when `CHANJIAO_TIMEZONE` is not set.
pub const DEFAULT_TIMEZONE: Tz = chrono_tz::Asia::Shanghai;

static TIMEZONE: OnceLock<Tz> = OnceLock::new();

/// Sets the process's zone; the first call wins (one service per process).
pub fn set_timezone(zone: Tz) {
    let _ = TIMEZONE.set(zone);
}

/// The zone in effect.
pub fn timezone() -> Tz {
    TIMEZONE.get().copied().unwrap_or(DEFAULT_TIMEZONE)
}

/// Today's date in the zone in effect.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&timezone()).date_naive()
}
