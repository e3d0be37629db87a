//! The opaque keyset cursor of every list: the sort key and id of the last
//! item on a page, bound to the sort and filters it was issued for, and
//! signed (HMAC-SHA-256 with a key every replica shares, kept in the
//! database) so that an edited or forged cursor is refused rather than
//! misread.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Length of the signature appended to a cursor's payload (128 bits).
const CHECK_LEN: usize = 16;
/// Domain separation for cursor signatures and bindings.
const CONTEXT: &[u8] = b"chanjiao cursor v2\0";

/// The signing key of this process: the one [`use_key`] set, or, until
/// then (unit tests), a random one.
static KEY: OnceLock<Vec<u8>> = OnceLock::new();

/// Sets the key cursors are signed with; the first call wins (every
/// service of one process shares it; every replica reads the same key from
/// the database).
pub fn use_key(key: &[u8]) {
    let _ = KEY.set(key.to_vec());
}

fn key() -> &'static [u8] {
    KEY.get_or_init(|| {
        let mut random = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
        random.to_vec()
    })
}

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort column's value of the last item (a string for text and for
    /// timestamps, which are written in RFC 3339 with microseconds).
    #[serde(rename = "k")]
    pub key: serde_json::Value,
    /// The id of the last item, which breaks ties.
    #[serde(rename = "i")]
    pub id: Uuid,
    /// The binding of the query the cursor belongs to (see [`binding`]).
    #[serde(rename = "b")]
    pub binding: String,
}

/// Why a cursor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    /// Not a cursor this service issued, or one that was edited.
    #[error("the cursor is malformed or was altered")]
    Malformed,
    /// A cursor issued for another sort order or other filters.
    #[error("the cursor belongs to another sort order or other filters")]
    WrongQuery,
}

/// A short digest of everything that fixes a list's order and contents
/// except the cursor and the limit: the resource, the sort and the filters.
pub fn binding(parts: &[(&str, &str)]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(CONTEXT);
    for (name, value) in parts {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(value.as_bytes());
        hasher.update([0]);
    }
    URL_SAFE_NO_PAD.encode(&hasher.finalize()[..9])
}

impl Cursor {
    /// The opaque text form handed to clients.
    pub fn encode(&self) -> String {
        let mut bytes = serde_json::to_vec(self).unwrap_or_default();
        let check = signer(&bytes).finalize().into_bytes();
        bytes.extend_from_slice(&check[..CHECK_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Reads a cursor and checks that it belongs to the query with `expected` binding.
    pub fn decode(text: &str, expected: &str) -> Result<Self, CursorError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| CursorError::Malformed)?;
        if bytes.len() <= CHECK_LEN {
            return Err(CursorError::Malformed);
        }
        let (payload, check) = bytes.split_at(bytes.len() - CHECK_LEN);
        signer(payload)
            .verify_truncated_left(check)
            .map_err(|_| CursorError::Malformed)?;
        let cursor: Cursor = serde_json::from_slice(payload).map_err(|_| CursorError::Malformed)?;
        if cursor.binding != expected {
            return Err(CursorError::WrongQuery);
        }
        Ok(cursor)
    }
}

/// The HMAC of `payload` under this process's key, ready to finish or verify.
fn signer(payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key()).expect("HMAC takes a key of any length");
    mac.update(CONTEXT);
    mac.update(payload);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(binding: &str) -> Cursor {
        Cursor {
            key: serde_json::json!("2024-04-03T08:00:00.123456Z"),
            id: Uuid::now_v7(),
            binding: binding.to_string(),
        }
    }

    #[test]
    fn a_cursor_round_trips() {
        let b = binding(&[("sort", "-created_at")]);
        let cursor = sample(&b);
        assert_eq!(Cursor::decode(&cursor.encode(), &b), Ok(cursor));
    }

    #[test]
    fn an_altered_cursor_is_refused() {
        let b = binding(&[("sort", "name")]);
        let text = sample(&b).encode();
        let mut chars: Vec<char> = text.chars().collect();
        for i in [0, chars.len() / 2, chars.len() - 1] {
            let original = chars[i];
            chars[i] = if original == 'A' { 'B' } else { 'A' };
            let altered: String = chars.iter().collect();
            assert_eq!(Cursor::decode(&altered, &b), Err(CursorError::Malformed));
            chars[i] = original;
        }
        assert_eq!(Cursor::decode("", &b), Err(CursorError::Malformed));
        assert_eq!(Cursor::decode("not a cursor!", &b), Err(CursorError::Malformed));
    }

    #[test]
    fn a_cursor_checksummed_without_the_key_is_refused() {
        let b = binding(&[("sort", "name")]);
        let forged = Cursor {
            key: serde_json::json!({"t": "text", "v": "\u{0}"}),
            ..sample(&b)
        };
        let mut bytes = serde_json::to_vec(&forged).unwrap();
        let digest = Sha256::new().chain_update(CONTEXT).chain_update(&bytes).finalize();
        bytes.extend_from_slice(&digest[..CHECK_LEN]);
        let text = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(Cursor::decode(&text, &b), Err(CursorError::Malformed));
    }

    #[test]
    fn a_cursor_for_another_query_is_refused() {
        let issued = binding(&[("sort", "name"), ("scale", "small")]);
        let other = binding(&[("sort", "name"), ("scale", "large")]);
        assert_ne!(issued, other);
        let text = sample(&issued).encode();
        assert_eq!(Cursor::decode(&text, &other), Err(CursorError::WrongQuery));
    }

    #[test]
    fn bindings_do_not_confuse_field_boundaries() {
        assert_ne!(binding(&[("a", "bc")]), binding(&[("ab", "c")]));
    }
}
