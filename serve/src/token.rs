//! Opaque session tokens: 256 random bits, written base64url without padding (43 characters),
//! and stored only as their SHA-256 hash, so a copy of the database signs nobody in.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Bytes of randomness in a token.
const TOKEN_BYTES: usize = 32;

/// The SHA-256 of a token: the only form a token is stored in.
pub type TokenHash = [u8; 32];

/// Why no token could be made.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomError(String);

/// A fresh token and its hash.
pub fn generate() -> Result<(String, TokenHash), RandomError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    Ok((token, hash))
}

/// The hash a presented token is looked up by.
pub fn hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// A random id below 2^53, so JavaScript reads it as an exact number (`IUserEntity.id` is a
/// number), and never 0.
pub fn random_id() -> Result<u64, RandomError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok((u64::from_le_bytes(bytes) >> 11).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_of_base64url_and_distinct() {
        let (a, ha) = generate().unwrap();
        let (b, hb) = generate().unwrap();
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'), "{a}");
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(hash(&a), ha);
    }

    #[test]
    fn sha256_of_the_text() {
        // FIPS 180-2's "abc" vector.
        let h = hash("abc");
        assert_eq!(h[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(h[28..], [0xf2, 0x00, 0x15, 0xad]);
    }

    #[test]
    fn ids_fit_a_javascript_number() {
        for _ in 0..100 {
            let id = random_id().unwrap();
            assert!(id > 0 && id < (1 << 53));
        }
    }
}
