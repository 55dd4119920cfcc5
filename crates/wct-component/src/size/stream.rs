//! A forward-only reader over the input that knows its byte offset. The size walk reads the
//! file once, front to back, through this: sections it only measures are skipped, function
//! bodies and data segments are streamed through a small window, and only the sections whose
//! contents it needs (imports, exports, names, producers) are held in memory, one at a time.
//! A file of any size is therefore analysed in a few megabytes.

use super::Stop;
use std::io::Read;

/// How much is read from the input at a time.
const CHUNK: usize = 64 * 1024;

/// The input, buffered, with the offset of the next unread byte.
pub(super) struct Stream<R> {
    inner: R,
    buf: Vec<u8>,
    /// Index in `buf` of the next unread byte.
    start: usize,
    /// File offset of `buf[start]`.
    pos: u64,
    eof: bool,
    /// Only the tree and its names are wanted: data segments are skipped, not measured.
    pub(super) names_only: bool,
}

impl<R: Read> Stream<R> {
    /// A stream at offset 0.
    pub(super) fn new(inner: R) -> Self {
        Stream {
            inner,
            buf: Vec::with_capacity(CHUNK),
            start: 0,
            pos: 0,
            eof: false,
            names_only: false,
        }
    }

    /// The offset of the next unread byte.
    pub(super) fn pos(&self) -> u64 {
        self.pos
    }

    /// The unread bytes in the buffer, after making sure there are at least `n` of them
    /// unless the input ends first.
    pub(super) fn peek(&mut self, n: usize) -> Result<&[u8], Stop> {
        while self.buf.len() - self.start < n && !self.eof {
            if self.start > 0 {
                self.buf.drain(..self.start);
                self.start = 0;
            }
            let have = self.buf.len();
            let want = (n - have).max(CHUNK);
            self.buf.resize(have + want, 0);
            let got = loop {
                match self.inner.read(&mut self.buf[have..]) {
                    Ok(got) => break got,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.buf.truncate(have);
                        return Err(Stop::new(self.pos, format!("read error: {e}")));
                    }
                }
            };
            self.buf.truncate(have + got);
            self.eof = got == 0;
        }
        Ok(&self.buf[self.start..])
    }

    /// Marks `n` buffered bytes as read.
    pub(super) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.buf.len() - self.start);
        self.start += n;
        self.pos += n as u64;
    }

    /// Whether the input has no byte left.
    pub(super) fn at_end(&mut self) -> Result<bool, Stop> {
        Ok(self.peek(1)?.is_empty())
    }

    /// Exactly `n` bytes, or a stop at the end of the input.
    pub(super) fn take(&mut self, n: usize) -> Result<Vec<u8>, Stop> {
        let mut out = Vec::with_capacity(n.min(1 << 24));
        self.stream(n as u64, |chunk| out.extend_from_slice(chunk))?;
        Ok(out)
    }

    /// Passes the next `n` bytes to `sink` piece by piece; a stop if the input ends first
    /// (what was there is read).
    pub(super) fn stream(&mut self, mut n: u64, mut sink: impl FnMut(&[u8])) -> Result<(), Stop> {
        while n > 0 {
            let window = self.peek(1)?;
            if window.is_empty() {
                return Err(self.truncated());
            }
            let len = window.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            sink(&window[..len]);
            self.consume(len);
            n -= len as u64;
        }
        Ok(())
    }

    /// Parses something small at the current position with wasmparser's reader over the
    /// buffered window, growing the window when the item does not fit in it yet.
    pub(super) fn parse<T>(
        &mut self,
        mut f: impl FnMut(&mut wasmparser::BinaryReader<'_>) -> wasmparser::Result<T>,
    ) -> Result<T, Stop> {
        let mut want = 16;
        loop {
            let pos = self.pos;
            let eof_reached;
            let result = {
                let window = self.peek(want)?;
                eof_reached = window.len() < want;
                let mut reader = wasmparser::BinaryReader::new(window, pos);
                f(&mut reader).map(|value| (value, reader.current_position()))
            };
            match result {
                Ok((value, used)) => {
                    self.consume(used);
                    return Ok(value);
                }
                Err(e) if e.message() == "unexpected end-of-file" => {
                    if eof_reached {
                        return Err(self.truncated());
                    }
                    want *= 4;
                }
                Err(e) => return Err(Stop::new(e.offset(), e.message().to_string())),
            }
        }
    }

    /// A LEB128 `u32`.
    pub(super) fn read_u32(&mut self) -> Result<u32, Stop> {
        self.parse(|r| r.read_var_u32())
    }

    /// One byte.
    pub(super) fn read_u8(&mut self) -> Result<u8, Stop> {
        self.parse(|r| r.read_u8())
    }

    /// The stop for an input that ends early; everything left is read, so it is attributed.
    pub(super) fn truncated(&mut self) -> Stop {
        let left = self.buf.len() - self.start;
        self.consume(left);
        Stop::new(self.pos, "unexpected end of file".to_string())
    }

    /// Reads what is left, returning how many bytes that was.
    pub(super) fn drain(&mut self) -> u64 {
        let mut n = 0;
        loop {
            match self.peek(1) {
                Ok(w) if !w.is_empty() => {
                    let len = w.len();
                    self.consume(len);
                    n += len as u64;
                }
                _ => return n,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte per call, the worst case for window growth.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            match self.0.split_first() {
                Some((b, rest)) if !out.is_empty() => {
                    out[0] = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn parses_across_reads_and_counts_offsets() {
        let data = [0xe5, 0x8e, 0x26, 7, 1, 2, 3];
        let mut s = Stream::new(Trickle(&data));
        assert_eq!(s.read_u32().unwrap(), 624_485);
        assert_eq!(s.pos(), 3);
        assert_eq!(s.read_u8().unwrap(), 7);
        assert_eq!(s.take(2).unwrap(), vec![1, 2]);
        let stop = s.take(5).unwrap_err();
        assert_eq!((stop.offset, s.pos()), (7, 7));
        assert!(s.at_end().unwrap());
    }

    #[test]
    fn a_cut_leb_is_a_truncation() {
        let mut s = Stream::new(&[0x80u8, 0x80][..]);
        let stop = s.read_u32().unwrap_err();
        assert_eq!(stop.message, "unexpected end of file");
        assert_eq!(stop.offset, 2);
    }
}
