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
///
/// Each byte is classified once, as it arrives; a character split between two writes (the
/// serialiser may write one byte at a time) is classified when it is whole.
pub(super) struct Capped {
    /// The bytes written.
    pub out: Vec<u8>,
    /// The most bytes, trimmed, the buffer may hold.
    cap: usize,
    /// Bytes of `out` classified so far (up to a character boundary).
    checked: usize,
    /// Where the first non-whitespace character starts, once there is one.
    start: Option<usize>,
    /// Where the last non-whitespace character ends.
    end: usize,
    /// Set once the cap was passed.
    pub over: bool,
}

impl Capped {
    /// An empty buffer with room for `capacity` bytes that may hold `cap` bytes (trimmed).
    pub(super) fn new(capacity: usize, cap: usize) -> Self {
        Capped { out: Vec::with_capacity(capacity), cap, checked: 0, start: None, end: 0, over: false }
    }

    /// The length of the buffer trimmed, as far as it is classified.
    fn trimmed_len(&self) -> usize {
        self.start.map_or(0, |start| self.end - start)
    }

    /// Classifies the whole characters written since the last call.
    fn classify(&mut self) {
        while let Some(rest) = self.out.get(self.checked..).filter(|r| !r.is_empty()) {
            let (text, bad) = match std::str::from_utf8(rest) {
                Ok(text) => (text, 0),
                Err(e) => {
                    let valid = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                    (valid, e.error_len().unwrap_or(0))
                }
            };
            for (at, c) in text.char_indices() {
                if !c.is_whitespace() {
                    self.start.get_or_insert(self.checked + at);
                    self.end = self.checked + at + c.len_utf8();
                }
            }
            self.checked += text.len();
            if bad == 0 {
                return; // all classified, or an incomplete character waiting for its rest
            }
            // Bytes that are not UTF-8 (never, from the serialiser): count them as text.
            self.start.get_or_insert(self.checked);
            self.checked += bad;
            self.end = self.checked;
        }
    }
}

impl io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        self.classify();
        if self.trimmed_len() > self.cap {
            self.over = true;
            return Err(io::Error::other(TooLarge { limit: self.cap }));
        }
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
        assert_eq!((c.trimmed_len(), c.over), (8, false), "`ab`, four spaces, `cd`");
        assert_eq!(c.out, b"    ab    cd  ");

        let mut c = Capped::new(0, 8);
        for chunk in ["\n ", "<p>", "x", "</p>", "\u{3000}\n"] {
            c.write_all(chunk.as_bytes()).unwrap();
        }
        assert_eq!((c.trimmed_len(), c.over), (8, false), "exactly at the cap");
        assert!(c.write_all(b" \t").is_ok(), "trailing whitespace is free");
        assert!(c.write_all(b"y").is_err(), "but counts once text follows it");
        assert!(c.over);
    }

    #[test]
    fn characters_split_between_writes_are_classified_whole() {
        // U+0085 (whitespace) and U+1EE51 (not), a byte at a time.
        let mut c = Capped::new(0, 4);
        for b in "\u{85}\u{1ee51}\u{85}".bytes() {
            c.write_all(&[b]).unwrap();
        }
        assert_eq!(c.trimmed_len(), 4);
        assert!(c.write_all(&[0xC2]).is_ok() && c.write_all(&[0x85]).is_ok(), "whitespace after");
        assert!(c.write_all(&[0xFF]).is_err(), "a byte that is not UTF-8 counts as text");
    }
}
