//! The byte budget a text's rendering runs under: what it may store, checked while it writes
//! so that the work stops at the limit rather than after it.
//!
//! A budget counts the stored HTML (trimmed, as it is stored) plus its plain text. The writers
//! check it per event, per line or per serialised chunk: a comparison of two lengths, never a
//! pass over the bytes.

use std::io;

/// A text's stored HTML and plain text together would take more than `limit` bytes; the
/// rendering stopped there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the stored text would be more than {limit} bytes")]
pub struct TooLarge {
    /// The budget that was exceeded.
    pub limit: usize,
}

/// An `io::Write` into a buffer that fails as soon as what it holds, less its leading and
/// trailing whitespace (what [`super::trimmed`] would remove), passes `cap` bytes. Used for
/// ammonia's serialiser, which stops at the first failed write.
pub(super) struct Capped {
    /// The bytes written.
    pub out: Vec<u8>,
    /// The most bytes, trimmed, the buffer may hold.
    cap: usize,
    /// Bytes from the first non-whitespace character to the last one, so far.
    inner: usize,
    /// Whitespace written after the last non-whitespace character.
    pending: usize,
    /// Set once the cap was passed.
    pub over: bool,
}

impl Capped {
    /// An empty buffer with room for `capacity` bytes that may hold `cap` bytes (trimmed).
    pub(super) fn new(capacity: usize, cap: usize) -> Self {
        Capped { out: Vec::with_capacity(capacity), cap, inner: 0, pending: 0, over: false }
    }
}

impl io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Whitespace as `str::trim` sees it; a chunk that is not whole UTF-8 (the serialiser
        // writes whole strings, so never) counts as text.
        let (lead, body) = match std::str::from_utf8(buf) {
            Ok(s) => {
                let start = if self.inner == 0 { s.len() - s.trim_start().len() } else { 0 };
                (start, s[start..].trim_end().len())
            }
            Err(_) => (0, buf.len()),
        };
        if body == 0 {
            if self.inner > 0 {
                self.pending += buf.len();
            }
        } else {
            self.inner += self.pending + body;
            self.pending = buf.len() - lead - body;
        }
        if self.inner > self.cap {
            self.over = true;
            return Err(io::Error::other(TooLarge { limit: self.cap }));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn counts_what_trimming_keeps() {
        let mut c = Capped::new(0, 100);
        for chunk in ["   ", " ab ", "   ", "cd  "] {
            c.write_all(chunk.as_bytes()).unwrap();
        }
        assert_eq!((c.inner, c.pending, c.over), (8, 2, false), "`ab`, four spaces, `cd`; then two");
        assert_eq!(c.out, b"    ab    cd  ");

        let mut c = Capped::new(0, 8);
        for chunk in ["\n ", "<p>", "x", "</p>", "\u{3000}\n"] {
            c.write_all(chunk.as_bytes()).unwrap();
        }
        assert_eq!((c.inner, c.pending, c.over), (8, 4, false), "exactly at the cap");
        assert!(c.write_all(b" \t").is_ok(), "trailing whitespace is free");
        assert!(c.write_all(b"y").is_err(), "but counts once text follows it");
        assert!(c.over);
        assert_eq!(c.out.len(), 2 + 8 + 4 + 2, "the failed chunk is not kept");
    }
}
