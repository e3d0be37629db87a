//! What this replica remembers in front of the database: users' states for
//! authentication (for at most [`USER_STATE_TTL`], forgotten at once when
//! the user changes here), and the totals and pages of lists, each as read
//! at one value of its table's change counter, so that a change anywhere
//! makes them stale.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use uuid::Uuid;

use super::Database;
use crate::domain::vocab::Role;
use crate::error::ApiError;

/// How long a user's state is reused before it is read again: the contract
/// allows a cache of at most 5 s between disabling a user and refusing its
/// tokens on every replica (this replica forgets a changed user at once).
pub const USER_STATE_TTL: Duration = Duration::from_secs(2);

/// What authentication needs to know of a user, as last read.
#[derive(Debug, Clone)]
pub struct UserState {
    /// The login name.
    pub username: String,
    /// The user's role.
    pub role: Role,
    /// The enterprise or school the user belongs to.
    pub org: Option<Uuid>,
    /// A disabled user's tokens are refused.
    pub disabled: bool,
    /// A participant's key: its upper-cased resident ID.
    pub participant: Option<std::sync::Arc<str>>,
    /// Whether the user must change its password first.
    pub must_change_password: bool,
}

/// The caches of one database, shared by its clones.
#[derive(Clone)]
pub(super) struct Caches {
    users: Cache<Uuid, Option<UserState>>,
    counts: Cache<String, (i64, u64)>,
    pages: moka::future::Cache<(i64, String), CachedPage>,
}

/// A page of a list as read at one value of its table's change counter.
#[derive(Clone)]
struct CachedPage {
    rows: u32,
    page: Arc<dyn Any + Send + Sync>,
}

/// How many rows the cached pages hold at most, all lists together (a few
/// megabytes: a page of 20 placements is about 20 kB).
const CACHED_PAGE_ROWS: u64 = 8_000;

impl Caches {
    /// Empty caches.
    pub(super) fn new() -> Self {
        Caches {
            users: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(USER_STATE_TTL)
                .build(),
            counts: Cache::builder()
                .max_capacity(10_000)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            pages: moka::future::Cache::builder()
                .max_capacity(CACHED_PAGE_ROWS)
                .weigher(|_, page: &CachedPage| page.rows.saturating_add(1))
                .time_to_idle(Duration::from_secs(600))
                .build(),
        }
    }
}

impl Database {
    /// The cached state of a user (`Some(None)`: known not to exist).
    pub(crate) fn cached_user(&self, id: Uuid) -> Option<Option<UserState>> {
        self.caches.users.get(&id)
    }

    /// Remembers a user's state for [`USER_STATE_TTL`].
    pub(crate) fn cache_user(&self, id: Uuid, state: Option<UserState>) {
        self.caches.users.insert(id, state);
    }

    /// The total of a search counted when its table's change counter was
    /// `changes`, if this replica counted it then.
    pub(crate) fn cached_count(&self, key: &str, changes: i64) -> Option<u64> {
        self.caches
            .counts
            .get(key)
            .and_then(|(at, total)| (at == changes).then_some(total))
    }

    /// Remembers a search's total at a change counter value.
    pub(crate) fn cache_count(&self, key: String, changes: i64, total: u64) {
        self.caches.counts.insert(key, (changes, total));
    }

    /// The page of `key` that this replica read when its table's change
    /// counter had the value `changes`, or else what `read` reads (with
    /// its number of rows); requests that want the same page at once wait
    /// for one read.
    pub(crate) async fn page_through<T, F>(&self, key: String, changes: i64, read: F) -> Result<Arc<T>, ApiError>
    where
        T: Any + Send + Sync,
        F: std::future::Future<Output = Result<(Arc<T>, usize), ApiError>>,
    {
        let cached = self
            .caches
            .pages
            .try_get_with((changes, key), async {
                let (page, rows) = read.await?;
                let rows = u32::try_from(rows).unwrap_or(u32::MAX);
                Ok::<_, ApiError>(CachedPage { rows, page })
            })
            .await
            .map_err(|shared| {
                // The waiters share the error: each answers it as it is.
                Arc::try_unwrap(shared).unwrap_or_else(|shared| shared.copied())
            })?;
        cached
            .page
            .downcast::<T>()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("a cached page of another type")))
    }

    /// Forgets a user's state, after a change to the user commits.
    pub(crate) fn forget_user(&self, id: Uuid) {
        self.caches.users.invalidate(&id);
    }
}
