//! A fast tokenizer for the plain XML subset that MSPDI writers emit (tags, whitespace and
//! text without references), producing the same quick-xml events and offsets as the full
//! reader.
//!
//! Why: the generic reader's per-event work (state machine, end-name bookkeeping) is the
//! largest share of `atrium schedule` on big files. Anything outside the subset (comments,
//! CDATA, references, DOCTYPE, CR, odd names, mismatched or missing end tags, invalid UTF-8)
//! sets [`Fast::bailed`] and ends the stream; the caller then parses the whole input again
//! with quick-xml, so every error and every unusual file is handled by the reference reader.

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

pub(super) struct Fast<'a> {
    xml: &'a [u8],
    /// The input as text, validated once (per-node validation was a seventh of the time).
    text: &'a str,
    off: usize,
    /// Names of the open elements, to check end tags like quick-xml's `check_end_names`.
    open: Vec<&'a [u8]>,
    /// Set when the input left the subset; the events read so far must be discarded.
    pub(super) bailed: bool,
    /// True once the root element closed (only a declaration may precede the root).
    seen_root: bool,
}

fn is_name_byte(b: u8) -> bool {
    NAME_BYTE[usize::from(b)]
}

/// [`is_name_byte`] as a table: names are scanned a byte at a time.
static NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
        b += 1;
    }
    t
};

/// Bytes that end a run of plain text: `<`, and `&` and CR, which leave the subset.
static TEXT_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'<' as usize] = true;
    t[b'&' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `i` as a little-endian word, when there are eight.
#[inline(always)]
fn word_at(xml: &[u8], i: usize) -> Option<u64> {
    let s = xml.get(i..)?.get(..8)?;
    let mut w = [0u8; 8];
    w.copy_from_slice(s);
    Some(u64::from_le_bytes(w))
}

/// A high bit set in every byte of `w` equal to `b` (and possibly in bytes above the first
/// such byte, through the borrow: only the lowest set bit is exact, which is all the scans
/// use).
#[inline(always)]
fn eq_bytes(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI
}

/// A high bit in each byte of `w` that ends plain text (see [`TEXT_STOP`]); only the lowest
/// is exact.
#[inline(always)]
fn text_stops(w: u64) -> u64 {
    eq_bytes(w, b'<') | eq_bytes(w, b'&') | eq_bytes(w, b'\r')
}

/// The two words of a 16-byte slice.
#[inline(always)]
fn two_words(s: &[u8]) -> (u64, u64) {
    let mut a = [0u8; 8];
    let mut b = [0u8; 8];
    a.copy_from_slice(&s[..8]);
    b.copy_from_slice(&s[8..16]);
    (u64::from_le_bytes(a), u64::from_le_bytes(b))
}

/// Offset of the first byte from `i` on that ends plain text (see [`TEXT_STOP`]), or the
/// length of `xml`. Eight bytes a step (a word-sized search: a vectorized one's set-up costs
/// more than these short runs), the first two steps unrolled (most texts are short).
#[inline(always)]
fn text_end(xml: &[u8], i: usize) -> usize {
    if let Some(s) = xml.get(i..).and_then(|r| r.get(..16)) {
        let (a, b) = two_words(s);
        let z = text_stops(a);
        if z != 0 {
            return i + (z.trailing_zeros() / 8) as usize;
        }
        let z = text_stops(b);
        if z != 0 {
            return i + 8 + (z.trailing_zeros() / 8) as usize;
        }
        return text_end_loop(xml, i + 16);
    }
    text_end_loop(xml, i)
}

fn text_end_loop(xml: &[u8], mut i: usize) -> usize {
    while let Some(w) = word_at(xml, i) {
        let z = text_stops(w);
        if z != 0 {
            return i + (z.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = xml.get(i) {
        if TEXT_STOP[usize::from(b)] {
            break;
        }
        i += 1;
    }
    i
}

/// Offset of the first `>` from `i` on, or the length of `xml`: as [`text_end`].
#[inline(always)]
fn tag_end(xml: &[u8], i: usize) -> usize {
    if let Some(s) = xml.get(i..).and_then(|r| r.get(..16)) {
        let (a, b) = two_words(s);
        let z = eq_bytes(a, b'>');
        if z != 0 {
            return i + (z.trailing_zeros() / 8) as usize;
        }
        let z = eq_bytes(b, b'>');
        if z != 0 {
            return i + 8 + (z.trailing_zeros() / 8) as usize;
        }
        return tag_end_loop(xml, i + 16);
    }
    tag_end_loop(xml, i)
}

fn tag_end_loop(xml: &[u8], mut i: usize) -> usize {
    while let Some(w) = word_at(xml, i) {
        let z = eq_bytes(w, b'>');
        if z != 0 {
            return i + (z.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while xml.get(i).is_some_and(|&b| b != b'>') {
        i += 1;
    }
    i
}

/// [`text_end`] for the text between tags, which is nothing or a line break as a rule.
#[inline(always)]
fn tag_start(xml: &[u8], off: usize) -> usize {
    match xml.get(off..off + 2) {
        Some([b'<', _]) => off,
        Some([b'\n', b'<']) => off + 1,
        _ => text_end(xml, off),
    }
}

/// `a == b` for the short names of end tags, in word-sized steps rather than a `memcmp` call
/// (most MSPDI names are 4 to 16 bytes).
#[inline(always)]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |s: &[u8], at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[at..at + 4]);
        u32::from_le_bytes(w)
    };
    match n {
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

/// A whole leaf found by [`Fast::peek_leaf`]: its name, its text, the text's offset and the
/// offset after its end tag.
pub(super) type Leaf<'a> = (&'a [u8], &'a str, usize, usize);

/// What [`Fast::child`] found next inside an element.
pub(super) enum Child<'a> {
    /// `<name>`, now open.
    Start(&'a [u8]),
    /// `<name/>`.
    Empty(&'a [u8]),
    /// A whole leaf `<name>text</name>` with plain text, already closed: the name, the text
    /// and the text's byte offset. The events would have been `Start`, one `Text` (none when
    /// empty) and `End`; reading the three in one scan is most of what a leaf costs.
    Leaf(&'a [u8], &'a str, usize),
    /// The end tag of the innermost open element, now closed.
    End,
    /// Anything else: [`Fast::read_event`] must read it (text before it may be consumed).
    Other,
}

impl<'a> Fast<'a> {
    pub(super) fn new(xml: &'a [u8]) -> Self {
        // Input that is not UTF-8 as a whole goes to the reference reader.
        let (text, bailed) = match std::str::from_utf8(xml) {
            Ok(t) => (t, false),
            Err(_) => ("", true),
        };
        Fast {
            xml,
            text,
            off: 0,
            open: Vec::with_capacity(16),
            bailed,
            seen_root: false,
        }
    }

    pub(super) fn buffer_position(&self) -> u64 {
        self.off as u64
    }

    fn bail(&mut self) -> Event<'a> {
        self.bailed = true;
        self.off = self.xml.len();
        Event::Eof
    }

    /// The next child tag of the innermost open element, skipping the text before it (which
    /// the reader ignores between children): the same start, empty or end tag that
    /// [`Fast::read_event`] would return, without building events. Returns [`Child::Other`]
    /// for anything else (attributes, declarations, unusual text, the end of input) and leaves
    /// it unread.
    pub(super) fn child(&mut self) -> Child<'a> {
        if self.bailed || self.open.is_empty() {
            return Child::Other;
        }
        let xml = self.xml;
        let i = tag_start(xml, self.off);
        if xml.get(i) != Some(&b'<') {
            return Child::Other;
        }
        // The text is plain (the reader would skip it): consume it.
        self.off = i;
        let Some(&next) = xml.get(i + 1) else {
            return Child::Other;
        };
        if next == b'/' {
            let Some(&name) = self.open.last() else {
                return Child::Other;
            };
            let end = i + 2 + name.len();
            if !xml.get(i + 2..end).is_some_and(|n| same_name(n, name))
                || xml.get(end) != Some(&b'>')
            {
                return Child::Other;
            }
            self.off = end + 1;
            self.open.pop();
            if self.open.is_empty() {
                self.seen_root = true;
            }
            return Child::End;
        }
        // The tag up to its `>`: a start tag when all name bytes, an empty one when all name
        // bytes then `/` (the first byte that is no name byte must be the end of the tag).
        let close = tag_end(xml, i + 1);
        let Some(inner) = xml.get(i + 1..close) else {
            return Child::Other;
        };
        let (name, empty) = match inner.split_last() {
            Some((b'/', name)) => (name, true),
            _ => (inner, false),
        };
        if name.is_empty() || close == xml.len() || !name.iter().all(|&b| is_name_byte(b)) {
            return Child::Other;
        }
        if empty {
            self.off = close + 1;
            return Child::Empty(name);
        }
        if let Some(leaf) = self.leaf_after(name, close + 1) {
            return leaf;
        }
        self.off = close + 1;
        self.open.push(name);
        Child::Start(name)
    }

    /// [`Child::Leaf`] when plain text from `t0` is directly followed by `</name>` (consumed),
    /// else `None` with nothing consumed.
    #[inline]
    fn leaf_after(&mut self, name: &'a [u8], t0: usize) -> Option<Child<'a>> {
        let (text, end) = self.leaf_at(name, t0)?;
        self.off = end;
        Some(Child::Leaf(name, text, t0))
    }

    /// The text from `t0` and the offset after `</name>` when plain text there is directly
    /// followed by that end tag.
    #[inline(always)]
    fn leaf_at(&self, name: &[u8], t0: usize) -> Option<(&'a str, usize)> {
        let xml = self.xml;
        let k = text_end(xml, t0);
        if xml.get(k) != Some(&b'<') || xml.get(k + 1) != Some(&b'/') {
            return None;
        }
        let end = k + 2 + name.len();
        if !same_name(xml.get(k + 2..end)?, name) || xml.get(end) != Some(&b'>') {
            return None;
        }
        // Both ends are next to ASCII bytes (`>` and `<`), so on character boundaries.
        Some((&self.text[t0..k], end + 1))
    }

    /// The next child when it is a whole leaf `<name>text</name>` with plain text: its name,
    /// its text, the text's offset and the offset after it, which [`Fast::skip_to`] takes once the caller has
    /// used the value. Nothing is consumed but the plain text before it (as [`Fast::child`]
    /// does), so the caller may read the element the usual way instead.
    ///
    /// The "name" is everything up to the first `>`, not checked: the caller must take only
    /// names it knows (attributes, `/>` or odd bytes then make an unknown name).
    #[inline(always)]
    pub(super) fn peek_leaf(&mut self) -> Option<Leaf<'a>> {
        if self.bailed || self.open.is_empty() {
            return None;
        }
        let xml = self.xml;
        let i = tag_start(xml, self.off);
        // `<` then not `/` (an end tag is no leaf, and its scan would run on to the next tag).
        match xml.get(i..i + 2) {
            Some([b'<', b]) if *b != b'/' => {}
            Some([b'<', _]) => {
                self.off = i;
                return None;
            }
            _ => {
                if xml.get(i) == Some(&b'<') {
                    self.off = i;
                }
                return None;
            }
        }
        self.off = i;
        if let Some(found) = self.leaf_in_window(i) {
            return found;
        }
        let j = tag_end(xml, i + 1);
        if xml.get(j) != Some(&b'>') {
            return None;
        }
        let name = &xml[i + 1..j];
        let (text, end) = self.leaf_at(name, j + 1)?;
        Some((name, text, j + 1, end))
    }

    /// [`Fast::peek_leaf`] from the `<` at `i` for the usual short leaf (a name and a text of
    /// at most 15 bytes each), within a fixed 64-byte window of the input: the same answer in
    /// fewer steps (offsets into the window need fewer bounds checks). `None` when the leaf
    /// does not fit (the caller then scans the usual way).
    #[inline(always)]
    fn leaf_in_window(&self, i: usize) -> Option<Option<Leaf<'a>>> {
        const WIN: usize = 64;
        let xml = self.xml;
        let win: &[u8; WIN] = xml.get(i..)?.get(..WIN)?.try_into().ok()?;
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&win[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let first = |z: u64| (z.trailing_zeros() / 8) as usize;
        // The name: up to the first `>` in the 16 bytes after `<`.
        let z = eq_bytes(word(1), b'>');
        let j = if z != 0 {
            1 + first(z)
        } else {
            let z = eq_bytes(word(9), b'>');
            if z == 0 {
                return None;
            }
            9 + first(z)
        };
        // The text: up to the first byte that ends plain text, in the 16 bytes after `>`.
        let t0 = j + 1;
        let z = text_stops(word(t0));
        let k = if z != 0 {
            t0 + first(z)
        } else {
            let z = text_stops(word(t0 + 8));
            if z == 0 {
                return None;
            }
            t0 + 8 + first(z)
        };
        // `</name>` right after the text.
        let e = k + 1 + j;
        if win[k] != b'<'
            || win[k + 1] != b'/'
            || !same_name(&win[k + 2..e], &win[1..j])
            || win[e] != b'>'
        {
            return Some(None);
        }
        let text = &self.text[i + t0..i + k];
        Some(Some((&xml[i + 1..i + j], text, i + t0, i + e + 1)))
    }

    /// When the next child is exactly the start tag `tag` (`<Name>`, no attributes) of an
    /// element that is not a leaf with plain text (which [`Fast::child`] reads whole): opens
    /// it as [`Fast::child`] would, returning [`Child::Start`]. Otherwise nothing is read.
    #[inline]
    pub(super) fn open_child(&mut self, tag: &[u8]) -> bool {
        if self.bailed || self.open.is_empty() || tag.len() < 3 {
            return false;
        }
        let xml = self.xml;
        let i = tag_start(xml, self.off);
        let end = i + tag.len();
        let Some(found) = xml.get(i..end) else {
            return false;
        };
        // `<`, the name in words, `>`.
        let n = tag.len() - 1;
        if found[0] != b'<' || found[n] != b'>' || !same_name(&found[1..n], &tag[1..n]) {
            return false;
        }
        let name = &found[1..n];
        if self.leaf_at(name, end).is_some() {
            return false;
        }
        self.off = end;
        self.open.push(name);
        true
    }

    /// After [`Fast::peek_leaf`] found no leaf: when the next tag is the end tag of the
    /// innermost open element, closes it (as [`Fast::child`] would return [`Child::End`]).
    #[inline]
    pub(super) fn close_tag(&mut self) -> bool {
        if self.bailed {
            return false;
        }
        let Some(&name) = self.open.last() else {
            return false;
        };
        let xml = self.xml;
        let i = self.off;
        let end = i + 2 + name.len();
        if xml.get(i..i + 2) != Some(b"</")
            || !xml.get(i + 2..end).is_some_and(|n| same_name(n, name))
            || xml.get(end) != Some(&b'>')
        {
            return false;
        }
        self.off = end + 1;
        self.open.pop();
        if self.open.is_empty() {
            self.seen_root = true;
        }
        true
    }

    /// Moves past a leaf found by [`Fast::peek_leaf`].
    pub(super) fn skip_to(&mut self, end: usize) {
        self.off = end;
    }

    /// The text of the element whose start tag was just read, when it is plain text directly
    /// followed by that element's end tag (the common leaf `<Name>text</Name>`): consumes
    /// both and returns the text (the events would be one `Text`, or none when empty, and the
    /// `End`). Otherwise `None` with nothing consumed, and the caller reads events as usual.
    pub(super) fn leaf_text(&mut self) -> Option<&'a str> {
        if self.bailed {
            return None;
        }
        let name = *self.open.last()?;
        let rest = &self.xml[self.off..];
        let len = rest
            .iter()
            .position(|&b| b == b'<' || b == b'&' || b == b'\r')
            .unwrap_or(rest.len());
        let tail = &rest[len..];
        if tail.first() != Some(&b'<') {
            return None;
        }
        let end = name.len() + 3;
        if tail.len() < end || tail[1] != b'/' || &tail[2..end - 1] != name || tail[end - 1] != b'>'
        {
            return None;
        }
        let s = self.text.get(self.off..self.off + len)?;
        self.off += len + end;
        self.open.pop();
        if self.open.is_empty() {
            self.seen_root = true;
        }
        Some(s)
    }

    pub(super) fn read_event(&mut self) -> Event<'a> {
        if self.bailed {
            return Event::Eof;
        }
        let xml = self.xml;
        let rest = &xml[self.off..];
        if rest.is_empty() {
            if !self.open.is_empty() {
                return self.bail();
            }
            return Event::Eof;
        }
        if rest[0] != b'<' {
            // Text nodes are short: a plain loop beats a vectorized search's set-up.
            let mut len = 0;
            while len < rest.len() {
                match rest[len] {
                    b'<' => break,
                    b'&' | b'\r' => return self.bail(),
                    _ => len += 1,
                }
            }
            let Some(s) = self.text.get(self.off..self.off + len) else {
                return self.bail();
            };
            self.off += len;
            return Event::Text(BytesText::from_escaped(s));
        }
        // Tags are short: a plain loop, like the text scan.
        let mut close = 1;
        while close < rest.len() && rest[close] != b'>' {
            close += 1;
        }
        if close == rest.len() {
            return self.bail();
        }
        let inner = &rest[1..close];
        let Some(&first) = inner.first() else {
            return self.bail();
        };
        match first {
            b'/' => {
                let name = &inner[1..];
                match self.open.pop() {
                    Some(open) if open == name => {}
                    _ => return self.bail(),
                }
                let Some(s) = self.text.get(self.off + 2..self.off + close) else {
                    return self.bail();
                };
                self.off += close + 1;
                if self.open.is_empty() {
                    self.seen_root = true;
                }
                Event::End(BytesEnd::new(s))
            }
            b'?' => {
                // Only the XML declaration, before anything else.
                if self.off != 0 || !inner.starts_with(b"?xml ") || !inner.ends_with(b"?") {
                    return self.bail();
                }
                self.off += close + 1;
                // The reader ignores the declaration: an empty comment stands in for it.
                Event::Comment(BytesText::from_escaped(""))
            }
            _ => {
                if self.seen_root {
                    return self.bail();
                }
                let empty = inner.ends_with(b"/");
                let content = if empty {
                    &inner[..inner.len() - 1]
                } else {
                    inner
                };
                let mut name_len = 0;
                while name_len < content.len() && is_name_byte(content[name_len]) {
                    name_len += 1;
                }
                if name_len == 0 {
                    return self.bail();
                }
                if name_len < content.len() {
                    // Attributes (the root's namespace): whitespace after the name, and quotes
                    // balanced so that the `>` found is not inside a value.
                    let attrs = &content[name_len..];
                    if !attrs[0].is_ascii_whitespace()
                        || attrs.iter().filter(|b| **b == b'"').count() % 2 != 0
                        || attrs.iter().filter(|b| **b == b'\'').count() % 2 != 0
                        || attrs.iter().any(|&b| b == b'<' || b == b'&')
                    {
                        return self.bail();
                    }
                }
                let Some(s) = self.text.get(self.off + 1..self.off + 1 + content.len()) else {
                    return self.bail();
                };
                self.off += close + 1;
                let start = BytesStart::from_content(s, name_len);
                if empty {
                    if self.open.is_empty() {
                        self.seen_root = true;
                    }
                    Event::Empty(start)
                } else {
                    self.open.push(&content[..name_len]);
                    Event::Start(start)
                }
            }
        }
    }
}
