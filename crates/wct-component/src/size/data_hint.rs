//! What a data segment's bytes look like, measured while they stream past: the share of zero
//! bytes, of printable text, the Shannon entropy, and a short printable preview.

use serde::Serialize;

/// How many bytes the preview shows.
const PREVIEW: usize = 40;

/// What a data segment holds, measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataHint {
    /// The memory offset a constant active segment is written to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_offset: Option<u64>,
    /// The verdict from the measurements below.
    pub looks: Looks,
    /// Bits of information per byte (0 to 8), to two decimals.
    pub entropy: f64,
    /// Share of zero bytes, to three decimals.
    pub zeros: f64,
    /// Share of printable ASCII (and tab, newline), to three decimals.
    pub printable: f64,
    /// The first bytes from the first non-zero one, printable ones as they are and others
    /// as `.`.
    pub preview: String,
}

/// The verdict on a data segment's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Looks {
    /// At least 90% zero bytes.
    Zeros,
    /// At least 85% printable text.
    Text,
    /// Entropy of 7.5 bits per byte or more: compressed or random.
    Compressed,
    /// Anything else: tables, pointers, structures.
    Binary,
}

impl Looks {
    /// The word for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Looks::Zeros => "zeros",
            Looks::Text => "text",
            Looks::Compressed => "compressed",
            Looks::Binary => "binary",
        }
    }
}

/// Byte statistics gathered chunk by chunk.
pub(super) struct HintBuilder {
    histogram: [u64; 256],
    total: u64,
    preview: Vec<u8>,
}

impl HintBuilder {
    pub(super) fn new() -> Self {
        HintBuilder {
            histogram: [0; 256],
            total: 0,
            preview: Vec::new(),
        }
    }

    /// Adds the next bytes of the segment.
    pub(super) fn feed(&mut self, chunk: &[u8]) {
        for &b in chunk {
            self.histogram[b as usize] += 1;
        }
        self.total += chunk.len() as u64;
        if self.preview.len() < PREVIEW {
            // The preview starts at the first non-zero byte: leading zeros say nothing.
            let from = if self.preview.is_empty() {
                chunk.iter().position(|&b| b != 0).unwrap_or(chunk.len())
            } else {
                0
            };
            let take = (PREVIEW - self.preview.len()).min(chunk.len() - from);
            self.preview.extend_from_slice(&chunk[from..from + take]);
        }
    }

    /// The verdict.
    pub(super) fn finish(self, memory_offset: Option<u64>) -> DataHint {
        let total = self.total.max(1) as f64;
        let entropy = -self
            .histogram
            .iter()
            .filter(|&&n| n > 0)
            .map(|&n| {
                let p = n as f64 / total;
                p * p.log2()
            })
            .sum::<f64>();
        let zeros = self.histogram[0] as f64 / total;
        let printable = (0u8..=255)
            .filter(|&b| is_text(b))
            .map(|b| self.histogram[b as usize])
            .sum::<u64>() as f64
            / total;
        let looks = if zeros >= 0.9 {
            Looks::Zeros
        } else if printable >= 0.85 {
            Looks::Text
        } else if entropy >= 7.5 {
            Looks::Compressed
        } else {
            Looks::Binary
        };
        let preview = self
            .preview
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        DataHint {
            memory_offset,
            looks,
            entropy: round(entropy.max(0.0), 100.0),
            zeros: round(zeros, 1000.0),
            printable: round(printable, 1000.0),
            preview,
        }
    }
}

fn is_text(b: u8) -> bool {
    b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn round(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(bytes: &[u8]) -> DataHint {
        let mut b = HintBuilder::new();
        for chunk in bytes.chunks(7) {
            b.feed(chunk);
        }
        b.finish(None)
    }

    #[test]
    fn verdicts() {
        assert_eq!(hint(&[0; 1000]).looks, Looks::Zeros);
        let text = "Traceback (most recent call last):\n".repeat(20);
        let h = hint(text.as_bytes());
        assert_eq!(h.looks, Looks::Text);
        assert_eq!(h.preview, "Traceback (most recent call last):.Trace");
        let all: Vec<u8> = (0..=255u8).cycle().take(256 * 16).collect();
        let h = hint(&all);
        assert_eq!((h.looks, h.entropy), (Looks::Compressed, 8.0));
        let pointers: Vec<u8> = (0..400u32).flat_map(|i| (i * 16).to_le_bytes()).collect();
        assert_eq!(hint(&pointers).looks, Looks::Binary);
    }
}
