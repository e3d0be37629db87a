//! The opaque keyset cursor of every list: the sort key and id of the last
//! item on a page, bound to the sort and filters it was issued for, with a
//! checksum so that an edited cursor is refused rather than misread.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Length of the checksum appended to a cursor's payload.
const CHECK_LEN: usize = 12;
/// Domain separation for cursor checksums and bindings.
const CONTEXT: &[u8] = b"chanjiao cursor v1\0";

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
        let check = checksum(&bytes);
        bytes.extend_from_slice(&check);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Reads a cursor and checks that it belongs to the query with `expected` binding.
    pub fn decode(text: &str, expected: &str) -> Result<Self, CursorError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| CursorError::Malformed)?;
        if bytes.len() <= CHECK_LEN {
            return Err(CursorError::Malformed);
        }
        let (payload, check) = bytes.split_at(bytes.len() - CHECK_LEN);
        if checksum(payload) != check {
            return Err(CursorError::Malformed);
        }
        let cursor: Cursor = serde_json::from_slice(payload).map_err(|_| CursorError::Malformed)?;
        if cursor.binding != expected {
            return Err(CursorError::WrongQuery);
        }
        Ok(cursor)
    }
}

fn checksum(payload: &[u8]) -> [u8; CHECK_LEN] {
    let digest = Sha256::new().chain_update(CONTEXT).chain_update(payload).finalize();
    let mut out = [0u8; CHECK_LEN];
    out.copy_from_slice(&digest[..CHECK_LEN]);
    out
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
