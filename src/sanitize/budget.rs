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
/// Cheap on the way: leading whitespace is classified until the first other character (the
/// serialiser's output starts with a tag), and while the buffer from there is within the cap
/// nothing else is looked at. Past it, the trailing whitespace is found by scanning back from
/// the end, never below where the last scan ended, so each byte is scanned at most once. The
/// serialiser may write a character a byte at a time: a character not yet whole at the end
/// counts as whitespace until it is.
pub(super) struct Capped {
    /// The bytes written.
    pub out: Vec<u8>,
    /// The most bytes, trimmed, the buffer may hold.
    cap: usize,
    /// Where the first non-whitespace character starts, once there is one.
    start: Option<usize>,
    /// Bytes of leading whitespace classified so far (a character boundary).
    lead: usize,
    /// Where the last scan for trailing whitespace stopped (a character boundary), and where
    /// the last non-whitespace character before it ends.
    tail: (usize, usize),
    /// Set once the cap was passed.
    pub over: bool,
}

impl Capped {
    /// An empty buffer with room for `capacity` bytes that may hold `cap` bytes (trimmed).
    pub(super) fn new(capacity: usize, cap: usize) -> Self {
        Capped { out: Vec::with_capacity(capacity), cap, start: None, lead: 0, tail: (0, 0), over: false }
    }

    /// Classifies leading whitespace until the first other character, if it has come.
    fn find_start(&mut self) {
        while self.start.is_none() {
            let Some((c, len)) = first_char(self.out.get(self.lead..).unwrap_or_default()) else { return };
            if c.is_some_and(char::is_whitespace) {
                self.lead += len;
            } else {
                self.start = Some(self.lead);
                self.tail = (self.lead, self.lead);
            }
        }
    }

    /// Where the last non-whitespace character ends (see the type's documentation).
    fn content_end(&mut self) -> usize {
        let (floor, known) = self.tail;
        let len = self.out.len();
        let (mut end, mut boundary) = (len, len);
        let found = loop {
            if end <= floor {
                break known;
            }
            let mut begin = end - 1;
            while begin > floor && self.out.get(begin).is_some_and(|b| b & 0xC0 == 0x80) {
                begin -= 1;
            }
            match std::str::from_utf8(self.out.get(begin..end).unwrap_or_default()) {
                Ok(s) if s.chars().all(char::is_whitespace) => end = begin,
                Err(e) if end == len && e.error_len().is_none() => {
                    (end, boundary) = (begin, begin); // not whole yet
                }
                _ => break end, // other text, or bytes that are not UTF-8 (never, from the serialiser)
            }
        };
        self.tail = (boundary, found);
        found
    }

    /// The length of the buffer trimmed (a character not yet whole at the end not counted).
    #[cfg(test)]
    fn trimmed_len(&mut self) -> usize {
        match self.start {
            Some(start) => self.content_end() - start,
            None => 0,
        }
    }
}

/// The first character of `b` (None for bytes that are not UTF-8, which count as text) and its
/// length; None when `b` is empty or holds only the start of a character.
fn first_char(b: &[u8]) -> Option<(Option<char>, usize)> {
    let first = *b.first()?;
    let len = match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    match b.get(..len).map(std::str::from_utf8) {
        Some(Ok(s)) => Some((s.chars().next(), len)),
        Some(Err(_)) => Some((None, 1)),
        None if std::str::from_utf8(b).is_err_and(|e| e.error_len().is_some()) => Some((None, 1)),
        None => None,
    }
}

impl io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        self.find_start();
        let Some(start) = self.start else { return Ok(buf.len()) };
        if self.out.len() - start > self.cap && self.content_end() - start > self.cap {
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
        assert_eq!(c.trimmed_len(), 8, "asked again");
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

        let mut c = Capped::new(0, 2);
        for b in "\u{85} \u{85}x\u{85}".bytes() {
            c.write_all(&[b]).unwrap();
        }
        assert_eq!(c.trimmed_len(), 1, "leading whitespace split in bytes too");
        assert!(c.write_all("\u{3000}".as_bytes()).is_ok());
        assert!(c.write_all(&[0xE3, 0x80]).is_ok(), "half of U+3000 is not counted yet");
        assert!(c.write_all(&[0x80, b' ']).is_ok());
        assert!(c.write_all("\u{1ee51}".as_bytes()).is_err(), "x, 8 bytes of whitespace, then text: 14");
    }

    #[test]
    fn a_long_whitespace_tail_is_scanned_once() {
        let mut c = Capped::new(0, 10);
        c.write_all(b"<p>x</p>").unwrap();
        for _ in 0..100_000 {
            c.write_all(b" ").unwrap();
        }
        assert_eq!(c.tail.0, c.out.len(), "each scan stops where the last one did");
        assert_eq!(c.trimmed_len(), 8);
        assert!(c.write_all(b"y").is_err());
    }
}
