//! The streaming MSPDI reader: quick-xml events into the model, with hard limits.
//!
//! Hardening choices: no DTD at all (a DOCTYPE is refused before any entity could be declared,
//! and only the five predefined entities and character references are resolved), a nesting
//! depth limit, per-text-node and total text limits checked before any copy, record-count
//! caps, and numbers that do not fit their field are errors naming the element. Skipped
//! subtrees are walked without storing anything, so memory stays proportional to what is kept.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::fast::{Child, Fast};
use super::model::*;
use super::names::is_schema_name;
use super::names::{k, lookup, name_of};
use super::{Limits, MspdiError, Parsed, Position, Warning};

type R<T> = Result<T, MspdiError>;

/// A recognized element name (`Some`, its index in the schema list) or an unknown one
/// (`None`; its text is in `Src::unknown_name`).
type Name = Option<u16>;

/// At most this many value warnings and distinct unknown names are kept; the rest are counted.
const MAX_WARNINGS: usize = 1000;

pub(super) fn parse(xml: &[u8], limits: &Limits) -> R<Parsed> {
    // The fast tokenizer first; on anything outside its subset (and on every error, so that
    // messages and positions are quick-xml's), the whole input again with quick-xml.
    let mut src = Src::new(xml, limits, true);
    let fast = parse_with(&mut src, xml);
    let bailed = matches!(&src.r, Rd::Fast(f) if f.bailed);
    if let Ok(p) = fast
        && !bailed
    {
        return Ok(p);
    }
    let mut src = Src::new(xml, limits, false);
    parse_with(&mut src, xml)
}

fn parse_with<'a>(src: &mut Src<'a>, xml: &'a [u8]) -> R<Parsed> {
    let limits = src.lim;
    if xml.len() > limits.max_input_bytes {
        return Err(MspdiError::InputTooLarge {
            limit: limits.max_input_bytes,
        });
    }
    if xml.starts_with(&[0xFF, 0xFE]) || xml.starts_with(&[0xFE, 0xFF]) {
        return Err(MspdiError::Xml {
            at: Position { line: 1, column: 1 },
            message: "UTF-16 input is not supported; save the file as UTF-8".into(),
        });
    }
    let xml = xml.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(xml);
    src.reset(xml);
    // Prolog: declaration, comments, processing instructions, whitespace; then the root.
    let root_empty = loop {
        let before = src.r.buffer_position();
        match src.r.read_event() {
            Err(e) => return Err(src.xml_err(e)),
            Ok(Event::DocType(_)) => return Err(src.doctype(before)),
            Ok(Event::Start(e)) => {
                let local = e.local_name();
                if local.as_ref() != b"Project" {
                    return Err(MspdiError::NotProject {
                        root: String::from_utf8_lossy(local.as_ref())
                            .chars()
                            .take(64)
                            .collect(),
                    });
                }
                src.depth = 1;
                break false;
            }
            Ok(Event::Empty(e)) => {
                let local = e.local_name();
                if local.as_ref() != b"Project" {
                    return Err(MspdiError::NotProject {
                        root: String::from_utf8_lossy(local.as_ref())
                            .chars()
                            .take(64)
                            .collect(),
                    });
                }
                break true;
            }
            Ok(Event::End(_)) => {
                let at = src.pos(src.r.buffer_position());
                return Err(MspdiError::Xml {
                    at,
                    message: "closing tag before any element".into(),
                });
            }
            Ok(Event::Eof) => {
                return Err(MspdiError::Xml {
                    at: src.pos(xml.len() as u64),
                    message: "no root element (empty document)".into(),
                });
            }
            Ok(Event::Text(t)) => {
                if t.iter().any(|b| !b.is_ascii_whitespace()) {
                    let at = src.pos(before);
                    return Err(MspdiError::Xml {
                        at,
                        message: "text before the root element".into(),
                    });
                }
            }
            Ok(Event::GeneralRef(_)) | Ok(Event::CData(_)) => {
                let at = src.pos(before);
                return Err(MspdiError::Xml {
                    at,
                    message: "content before the root element".into(),
                });
            }
            Ok(_) => {}
        }
    };
    let project = src.project(root_empty)?;
    // Epilog: only whitespace, comments and processing instructions may follow.
    loop {
        let before = src.r.buffer_position();
        match src.r.read_event() {
            Err(e) => return Err(src.xml_err(e)),
            Ok(Event::Eof) => break,
            Ok(Event::DocType(_)) => return Err(src.doctype(before)),
            Ok(Event::Text(t)) if t.iter().all(|b| b.is_ascii_whitespace()) => {}
            Ok(Event::Comment(_)) | Ok(Event::PI(_)) => {}
            Ok(_) => {
                let at = src.pos(before);
                return Err(MspdiError::Xml {
                    at,
                    message: "content after the root element".into(),
                });
            }
        }
    }
    let mut warnings = std::mem::take(&mut src.warnings);
    warnings.extend(
        std::mem::take(&mut src.unknown)
            .into_iter()
            .map(|(parent, name, count)| Warning::UnknownElement {
                parent,
                name,
                count,
            }),
    );
    if src.suppressed > 0 {
        warnings.push(Warning::Suppressed {
            count: src.suppressed,
        });
    }
    Ok(Parsed { project, warnings })
}

/// The event source: the fast subset tokenizer or quick-xml.
enum Rd<'a> {
    Fast(Fast<'a>),
    Slow(Box<Reader<&'a [u8]>>),
}

impl<'a> Rd<'a> {
    fn new(xml: &'a [u8], fast: bool) -> Self {
        if fast {
            return Rd::Fast(Fast::new(xml));
        }
        let mut r = Reader::from_reader(xml);
        let c = r.config_mut();
        c.check_end_names = true;
        c.expand_empty_elements = false;
        c.trim_text(false);
        Rd::Slow(Box::new(r))
    }

    #[inline]
    fn read_event(&mut self) -> Result<Event<'a>, quick_xml::Error> {
        match self {
            Rd::Fast(f) => Ok(f.read_event()),
            Rd::Slow(r) => r.read_event(),
        }
    }

    fn buffer_position(&self) -> u64 {
        match self {
            Rd::Fast(f) => f.buffer_position(),
            Rd::Slow(r) => r.buffer_position(),
        }
    }

    fn error_position(&self) -> u64 {
        match self {
            Rd::Fast(f) => f.buffer_position(),
            Rd::Slow(r) => r.error_position(),
        }
    }
}

struct Src<'a> {
    xml: &'a [u8],
    r: Rd<'a>,
    lim: &'a Limits,
    depth: usize,
    total_text: usize,
    /// The current leaf's text: borrowed from the input in the common single-node case.
    text: Cow<'a, str>,
    /// Byte offset where the current leaf's text starts (for error positions).
    leaf_off: u64,
    /// The text (and its offset) of the element [`Src::child`] just returned when the
    /// tokenizer read it whole (a [`Child::Leaf`]): the element is closed already, so the next
    /// reader of it takes this instead of reading on ([`Src::leaf`] as its text,
    /// [`Src::child`] as "no more children", [`Src::other`] as nothing to skip).
    pending: Option<(&'a str, u64)>,
    // Incremental line tracking: offsets only move forward in the common case.
    line_off: usize,
    line: u64,
    line_start: usize,
    path: Vec<&'static str>,
    unknown_name: String,
    unknown: Vec<(String, String, usize)>,
    unknown_idx: HashMap<String, usize>,
    warnings: Vec<Warning>,
    suppressed: usize,
    links: usize,
    exceptions: usize,
    /// Recently classified names (see [`name_key`]); a length of 0 marks an empty slot.
    names: [(u64, u64, u16, u16); NAME_SLOTS],
}

const NAME_SLOTS: usize = 64;

/// Names of 1 to 16 bytes as two words: with the length, the first and the last eight bytes
/// (zero-padded) identify the name exactly.
fn name_key(n: &[u8]) -> Option<(u64, u64)> {
    let len = n.len();
    // Fixed-size loads, and a byte loop for short names: a variable-length copy would be a
    // `memcpy` call per element.
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&n[at..at + 8]);
        u64::from_le_bytes(w)
    };
    match len {
        8..=16 => Some((word(0), word(len - 8))),
        1..8 => {
            let a = n
                .iter()
                .enumerate()
                .fold(0u64, |a, (i, &c)| a | u64::from(c) << (8 * i));
            Some((a, 0))
        }
        _ => None,
    }
}

fn key_slot(a: u64, b: u64, len: usize) -> usize {
    ((a ^ b.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
        % NAME_SLOTS
}

impl<'a> Src<'a> {
    fn new(xml: &'a [u8], lim: &'a Limits, fast: bool) -> Self {
        Src {
            xml,
            // `parse_with` points the source at the input (without its byte order mark)
            // before reading: no need to set the tokenizer up twice.
            r: Rd::new(&xml[..0], fast),
            lim,
            depth: 0,
            total_text: 0,
            text: Cow::Borrowed(""),
            leaf_off: 0,
            pending: None,
            line_off: 0,
            line: 1,
            line_start: 0,
            path: Vec::with_capacity(16),
            unknown_name: String::new(),
            unknown: Vec::new(),
            unknown_idx: HashMap::new(),
            warnings: Vec::new(),
            suppressed: 0,
            links: 0,
            exceptions: 0,
            names: [(0, 0, 0, 0); NAME_SLOTS],
        }
    }

    /// Points the source at `xml` (the input without its byte order mark).
    fn reset(&mut self, xml: &'a [u8]) {
        let fast = matches!(self.r, Rd::Fast(_));
        self.xml = xml;
        self.r = Rd::new(xml, fast);
    }

    /// 1-based line and column of a byte offset.
    fn pos(&mut self, off: u64) -> Position {
        let off = usize::try_from(off)
            .unwrap_or(usize::MAX)
            .min(self.xml.len());
        if off < self.line_off {
            self.line_off = 0;
            self.line = 1;
            self.line_start = 0;
        }
        for (i, b) in self.xml[self.line_off..off].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.line_off + i + 1;
            }
        }
        self.line_off = off;
        Position {
            line: self.line,
            column: (off - self.line_start + 1) as u64,
        }
    }

    fn xml_err(&mut self, e: quick_xml::Error) -> MspdiError {
        let at = self.pos(self.r.error_position());
        let message = match &e {
            quick_xml::Error::IllFormed(quick_xml::errors::IllFormedError::MissingEndTag(n)) => {
                format!("end of file inside <{n}> (missing closing tag)")
            }
            _ => e.to_string(),
        };
        MspdiError::Xml { at, message }
    }

    fn doctype(&mut self, off: u64) -> MspdiError {
        MspdiError::Doctype { at: self.pos(off) }
    }

    fn eof_inside(&mut self) -> MspdiError {
        let at = self.pos(self.xml.len() as u64);
        let inside = self.path.last().copied().unwrap_or("Project");
        MspdiError::Xml {
            at,
            message: format!("end of file inside <{inside}> (missing closing tag)"),
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > self.lim.max_depth {
            let at = self.pos(self.r.buffer_position());
            return Err(MspdiError::TooDeep {
                at,
                limit: self.lim.max_depth,
            });
        }
        Ok(())
    }

    fn classify(&mut self, local: &[u8]) -> Name {
        let key = name_key(local);
        if let Some((a, b)) = key {
            let slot = self.names[key_slot(a, b, local.len())];
            if slot.0 == a && slot.1 == b && usize::from(slot.2) == local.len() {
                return Some(slot.3);
            }
        }
        match lookup(local) {
            Some(n) => {
                if let Some((a, b)) = key {
                    self.names[key_slot(a, b, local.len())] = (a, b, local.len() as u16, n);
                }
                Some(n)
            }
            None => {
                self.unknown_name.clear();
                self.unknown_name
                    .push_str(&String::from_utf8_lossy(&local[..local.len().min(128)]));
                if is_schema_name(local) {
                    // f4040xx fields: known but not modelled.
                    Some(k::ExtendedAttribute)
                } else {
                    None
                }
            }
        }
    }

    /// The next child of the current container: `Some((name, empty))`, or `None` at its end.
    fn child(&mut self) -> R<Option<(Name, bool)>> {
        if self.pending.take().is_some() {
            return Ok(None);
        }
        if let Rd::Fast(f) = &mut self.r {
            match f.child() {
                Child::Leaf(name, text, off) => {
                    // Entered and left again: only the depth limit is checked.
                    self.enter()?;
                    self.depth -= 1;
                    self.pending = Some((text, off as u64));
                    return Ok(Some((self.classify(name), false)));
                }
                Child::Start(name) => {
                    self.enter()?;
                    return Ok(Some((self.classify(name), false)));
                }
                Child::Empty(name) => return Ok(Some((self.classify(name), true))),
                Child::End => {
                    self.depth -= 1;
                    return Ok(None);
                }
                Child::Other => {}
            }
        }
        loop {
            let before = self.r.buffer_position();
            match self.r.read_event() {
                Err(e) => return Err(self.xml_err(e)),
                Ok(Event::Start(e)) => {
                    self.enter()?;
                    let n = self.classify(e.local_name().as_ref());
                    return Ok(Some((n, false)));
                }
                Ok(Event::Empty(e)) => {
                    let n = self.classify(e.local_name().as_ref());
                    return Ok(Some((n, true)));
                }
                Ok(Event::End(_)) => {
                    self.depth -= 1;
                    return Ok(None);
                }
                Ok(Event::Eof) => return Err(self.eof_inside()),
                Ok(Event::DocType(_)) => return Err(self.doctype(before)),
                Ok(Event::GeneralRef(g)) => {
                    self.check_ref(&g, before)?;
                }
                Ok(_) => {}
            }
        }
    }

    /// Only the predefined entities and character references exist; anything else would need
    /// a DTD, which is refused.
    fn check_ref(&mut self, g: &quick_xml::events::BytesRef<'_>, off: u64) -> R<Option<char>> {
        if g.is_char_ref() {
            return match g.resolve_char_ref() {
                Ok(c) => Ok(c),
                Err(e) => {
                    let at = self.pos(off);
                    Err(MspdiError::Xml {
                        at,
                        message: format!("bad character reference: {e}"),
                    })
                }
            };
        }
        Ok(Some(match g.as_ref() {
            b"amp" => '&',
            b"lt" => '<',
            b"gt" => '>',
            b"quot" => '"',
            b"apos" => '\'',
            other => {
                let at = self.pos(off);
                let name: String = String::from_utf8_lossy(other).chars().take(64).collect();
                return Err(MspdiError::Xml {
                    at,
                    message: format!(
                        "undefined entity &{name}; (entity declarations are not allowed)"
                    ),
                });
            }
        }))
    }

    /// Skips the rest of an element whose start tag was just read, storing nothing.
    fn skip(&mut self) -> R<()> {
        let mut open = 1usize;
        loop {
            let before = self.r.buffer_position();
            match self.r.read_event() {
                Err(e) => return Err(self.xml_err(e)),
                Ok(Event::Start(_)) => {
                    self.enter()?;
                    open += 1;
                }
                Ok(Event::End(_)) => {
                    self.depth -= 1;
                    open -= 1;
                    if open == 0 {
                        return Ok(());
                    }
                }
                Ok(Event::Eof) => return Err(self.eof_inside()),
                Ok(Event::DocType(_)) => return Err(self.doctype(before)),
                Ok(Event::GeneralRef(g)) => {
                    self.check_ref(&g, before)?;
                }
                Ok(_) => {}
            }
        }
    }

    /// An element the current context does not handle: silently skipped when it belongs to
    /// the MSPDI schema, otherwise skipped with an (aggregated) unknown-element warning.
    fn other(&mut self, name: Name, empty: bool) -> R<()> {
        if name.is_none() {
            // One warning per distinct name; the parent path is where it was first seen.
            let key = std::mem::take(&mut self.unknown_name);
            if let Some(&i) = self.unknown_idx.get(&key) {
                self.unknown[i].2 += 1;
            } else if self.unknown.len() < MAX_WARNINGS {
                self.unknown_idx.insert(key.clone(), self.unknown.len());
                self.unknown.push((self.path.join("/"), key, 1));
            } else {
                self.suppressed += 1;
            }
        }
        if !empty && self.pending.take().is_none() {
            self.skip()?;
        }
        Ok(())
    }

    fn warn(&mut self, name: u16, reason: &'static str) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.suppressed += 1;
            return;
        }
        let at = self.pos(self.leaf_off);
        let value = clip(&self.text);
        self.warnings.push(Warning::IgnoredValue {
            at,
            element: name_of(name).to_string(),
            value,
            reason,
        });
    }

    fn bad(&mut self, name: u16, reason: &'static str) -> MspdiError {
        let at = self.pos(self.leaf_off);
        MspdiError::Value {
            at,
            element: name_of(name).to_string(),
            value: clip(&self.text),
            reason,
        }
    }

    fn too_many(&mut self, what: &'static str, limit: usize) -> MspdiError {
        let at = self.pos(self.r.buffer_position());
        MspdiError::TooMany { at, what, limit }
    }

    fn push_text(&mut self, s: Cow<'a, str>, name: u16, off: u64) -> R<()> {
        if self.text.len() + s.len() > self.lim.max_text_bytes {
            let at = self.pos(off);
            return Err(MspdiError::TextTooLong {
                at,
                element: name_of(name).to_string(),
                limit: self.lim.max_text_bytes,
            });
        }
        self.total_text += s.len();
        if self.total_text > self.lim.max_total_text_bytes {
            let at = self.pos(off);
            return Err(MspdiError::TotalTextTooLarge {
                at,
                limit: self.lim.max_total_text_bytes,
            });
        }
        if self.text.is_empty() {
            self.text = s;
        } else {
            self.text.to_mut().push_str(&s);
        }
        Ok(())
    }

    /// The fast path for the common leaves of big records: while the next child is a whole
    /// leaf with plain, untrimmed text within the limits, `store` gets its name and text and
    /// returns whether it took the value (a field it knows, a value it can use as is). Only
    /// then is the leaf consumed; the first leaf it does not take (an unknown field, a value
    /// that the typed readers would trim, refuse or warn about) and anything that is not such
    /// a leaf is left for the usual path, which reads it exactly as before. Saves the name
    /// lookup, the dispatch and the calls per leaf; one loop over a run of leaves saves the
    /// set-up per leaf. Returns true when the run ended with the record's own end tag, which
    /// is then read (as [`Src::child`] returning `None` would have).
    #[inline]
    fn fast_leaves(&mut self, mut store: impl FnMut(&[u8], &str) -> bool) -> bool {
        // A pending element is closed: it has no children to read.
        if self.pending.is_some() || self.depth >= self.lim.max_depth {
            return false;
        }
        let Rd::Fast(f) = &mut self.r else {
            return false;
        };
        let (max_text, max_total) = (self.lim.max_text_bytes, self.lim.max_total_text_bytes);
        loop {
            let Some((name, text, at, end)) = f.peek_leaf() else {
                if f.close_tag() {
                    self.depth -= 1;
                    return true;
                }
                return false;
            };
            let untrimmed = match (text.as_bytes().first(), text.as_bytes().last()) {
                (Some(a), Some(b)) => !a.is_ascii_whitespace() && !b.is_ascii_whitespace(),
                _ => false,
            };
            if !untrimmed
                || text.len() > max_text
                || self.total_text + text.len() > max_total
                || !store(name, text)
            {
                return false;
            }
            f.skip_to(end);
            self.total_text += text.len();
            // Where later warnings about the record point, as after any leaf.
            self.leaf_off = at as u64;
        }
    }

    /// When the next child is the start tag `tag` (`<Name>`, a name [`Src::child`] would
    /// classify as that schema element) of an element with children: opens it, as
    /// [`Src::child`] would, without the generic tag scan and name lookup. Otherwise nothing
    /// is read (a pending leaf, the depth limit, anything else go the usual way).
    #[inline]
    fn open_child(&mut self, tag: &[u8]) -> bool {
        if self.pending.is_some() || self.depth >= self.lim.max_depth {
            return false;
        }
        let Rd::Fast(f) = &mut self.r else {
            return false;
        };
        if !f.open_child(tag) {
            return false;
        }
        self.depth += 1;
        true
    }

    /// Reads the text of a leaf element into `self.text`.
    fn leaf(&mut self, empty: bool, name: u16) -> R<()> {
        self.text = Cow::Borrowed("");
        // The common `<Name>text</Name>`, read whole by `child` or here in one step (same
        // text, same end of element).
        let whole = match self.pending.take() {
            Some((s, off)) => {
                self.leaf_off = off;
                Some(s)
            }
            None => {
                self.leaf_off = self.r.buffer_position();
                if empty {
                    return Ok(());
                }
                match &mut self.r {
                    Rd::Fast(f) => f.leaf_text().inspect(|_| self.depth -= 1),
                    Rd::Slow(_) => None,
                }
            }
        };
        if let Some(s) = whole {
            if !s.is_empty() {
                // `push_text` on an empty `text`, inline.
                self.total_text += s.len();
                if s.len() > self.lim.max_text_bytes
                    || self.total_text > self.lim.max_total_text_bytes
                {
                    // The reference reader reports it with its own position.
                    self.total_text -= s.len();
                    return self.push_text(Cow::Borrowed(s), name, self.leaf_off);
                }
                self.text = Cow::Borrowed(s);
            }
            return Ok(());
        }
        loop {
            let before = self.r.buffer_position();
            match self.r.read_event() {
                Err(e) => return Err(self.xml_err(e)),
                Ok(Event::Text(t)) => {
                    // Size is checked on the raw bytes, before anything is copied.
                    if self.text.len() + t.len() > self.lim.max_text_bytes {
                        let at = self.pos(before);
                        return Err(MspdiError::TextTooLong {
                            at,
                            element: name_of(name).to_string(),
                            limit: self.lim.max_text_bytes,
                        });
                    }
                    // End-of-line normalization only when there is a CR to normalize.
                    let content = if t.contains(&b'\r') {
                        t.xml10_content()
                    } else {
                        t.decode()
                    };
                    match content {
                        Ok(s) => self.push_text(s, name, before)?,
                        Err(e) => {
                            let at = self.pos(before);
                            return Err(MspdiError::Xml {
                                at,
                                message: format!("invalid text: {e}"),
                            });
                        }
                    }
                }
                Ok(Event::CData(t)) => {
                    if self.text.len() + t.len() > self.lim.max_text_bytes {
                        let at = self.pos(before);
                        return Err(MspdiError::TextTooLong {
                            at,
                            element: name_of(name).to_string(),
                            limit: self.lim.max_text_bytes,
                        });
                    }
                    match t.decode() {
                        Ok(s) => self.push_text(s, name, before)?,
                        Err(e) => {
                            let at = self.pos(before);
                            return Err(MspdiError::Xml {
                                at,
                                message: format!("invalid CDATA: {e}"),
                            });
                        }
                    }
                }
                Ok(Event::GeneralRef(g)) => {
                    if let Some(c) = self.check_ref(&g, before)? {
                        self.push_text(Cow::Owned(c.to_string()), name, before)?;
                    }
                }
                Ok(Event::Start(e)) => {
                    self.enter()?;
                    self.path.push(name_of(name));
                    let n = self.classify(e.local_name().as_ref());
                    let r = self.other(n, false);
                    self.path.pop();
                    r?;
                }
                Ok(Event::Empty(e)) => {
                    self.path.push(name_of(name));
                    let n = self.classify(e.local_name().as_ref());
                    let r = self.other(n, true);
                    self.path.pop();
                    r?;
                }
                Ok(Event::End(_)) => {
                    self.depth -= 1;
                    return Ok(());
                }
                Ok(Event::Eof) => {
                    self.path.push(name_of(name));
                    let e = self.eof_inside();
                    self.path.pop();
                    return Err(e);
                }
                Ok(Event::DocType(_)) => return Err(self.doctype(before)),
                Ok(_) => {}
            }
        }
    }

    // ---- typed leaves -------------------------------------------------------------------

    fn string(&mut self, empty: bool, name: u16) -> R<Option<String>> {
        self.leaf(empty, name)?;
        Ok(Some(self.text.to_string()))
    }

    fn trimmed(&self) -> &str {
        let t: &str = &self.text;
        match (t.as_bytes().first(), t.as_bytes().last()) {
            (Some(a), Some(b)) if !a.is_ascii_whitespace() && !b.is_ascii_whitespace() => t,
            _ => t.trim_matches(|c: char| c.is_ascii_whitespace()),
        }
    }

    fn i64v(&mut self, empty: bool, name: u16) -> R<Option<i64>> {
        self.leaf(empty, name)?;
        let t = self.trimmed();
        if t.is_empty() {
            return Ok(None);
        }
        if let Some(v) = plain_i64(t) {
            return Ok(Some(v));
        }
        match parse_i64(t) {
            Ok(v) => Ok(Some(v)),
            Err(reason) => Err(self.bad(name, reason)),
        }
    }

    fn int<T: TryFrom<i64>>(&mut self, empty: bool, name: u16) -> R<Option<T>> {
        match self.i64v(empty, name)? {
            None => Ok(None),
            Some(v) => match T::try_from(v) {
                Ok(x) => Ok(Some(x)),
                Err(_) => Err(self.bad(name, "number out of range")),
            },
        }
    }

    /// A calendar reference; -1 (and absence) mean "none".
    fn uid_ref(&mut self, empty: bool, name: u16) -> R<Option<i32>> {
        Ok(self.int::<i32>(empty, name)?.filter(|v| *v >= 0))
    }

    fn float(&mut self, empty: bool, name: u16) -> R<Option<f64>> {
        self.leaf(empty, name)?;
        let t = self.trimmed();
        if t.is_empty() {
            return Ok(None);
        }
        // Most values are plain integers: skip the float parser for them.
        if t.len() < 16
            && let Some(v) = plain_i64(t).or_else(|| t.parse::<i64>().ok())
        {
            return Ok(Some(v as f64));
        }
        match parse_f64(t) {
            Ok(v) => Ok(Some(v)),
            Err(reason) => Err(self.bad(name, reason)),
        }
    }

    /// A currency amount in hundredths, rounded to whole hundredths.
    fn money(&mut self, empty: bool, name: u16) -> R<Option<i64>> {
        match self.float(empty, name)? {
            None => Ok(None),
            Some(v) if v.abs() <= 9.0e15 => Ok(Some(v.round() as i64)),
            Some(_) => Err(self.bad(name, "number out of range")),
        }
    }

    fn boolean(&mut self, empty: bool, name: u16) -> R<Option<bool>> {
        self.leaf(empty, name)?;
        let t = self.trimmed();
        match t {
            "" => Ok(None),
            "1" | "true" | "True" | "TRUE" => Ok(Some(true)),
            "0" | "false" | "False" | "FALSE" => Ok(Some(false)),
            _ => Err(self.bad(name, "expected 0, 1, true or false")),
        }
    }

    fn flag(&mut self, empty: bool, name: u16) -> R<bool> {
        Ok(self.boolean(empty, name)?.unwrap_or(false))
    }

    fn date(&mut self, empty: bool, name: u16) -> R<Option<DateTime>> {
        self.leaf(empty, name)?;
        let t = self.trimmed();
        if t.is_empty() || t == "NA" {
            return Ok(None);
        }
        match parse_datetime(t) {
            Some(d) => Ok(Some(d)),
            None => Err(self.bad(name, "expected a date-time like 2001-01-01T08:00:00")),
        }
    }

    fn time(&mut self, empty: bool, name: u16) -> R<Option<u16>> {
        self.leaf(empty, name)?;
        let t = self.trimmed();
        if t.is_empty() {
            return Ok(None);
        }
        match parse_time(t) {
            Some(m) => Ok(Some(m)),
            None => Err(self.bad(name, "expected a time like 08:00:00")),
        }
    }

    fn duration(&mut self, empty: bool, name: u16) -> R<Option<i64>> {
        self.leaf(empty, name)?;
        let t = self.trimmed();
        if t.is_empty() {
            return Ok(None);
        }
        match parse_duration(t) {
            Ok(m) => Ok(Some(m)),
            Err(reason) => Err(self.bad(name, reason)),
        }
    }

    fn format(&mut self, empty: bool, name: u16) -> R<Option<DurationFormat>> {
        let Some(code) = self.i64v(empty, name)? else {
            return Ok(None);
        };
        let f = DurationFormat::from_code(code);
        if f.is_none() && code != 21 && code != 53 {
            self.warn(name, "unknown duration format code");
        }
        Ok(f)
    }

    fn percent(&mut self, empty: bool, name: u16) -> R<Option<u16>> {
        // Some writers emit decimals ("50.0"); percentages are whole numbers in MSPDI.
        match self.float(empty, name)? {
            None => Ok(None),
            Some(v) if (0.0..=65535.0).contains(&v) => Ok(Some(v.round() as u16)),
            Some(_) => Err(self.bad(name, "number out of range")),
        }
    }

    // ---- containers ---------------------------------------------------------------------

    fn project(&mut self, empty: bool) -> R<Project> {
        let mut p = Project::default();
        if empty {
            return Ok(p);
        }
        self.path.push("Project");
        while let Some((name, e)) = self.child()? {
            match name {
                Some(n @ k::SaveVersion) => p.save_version = self.int(e, n)?,
                Some(n @ k::Name) => p.name = self.string(e, n)?,
                Some(n @ k::Title) => p.title = self.string(e, n)?,
                Some(n @ k::Author) => p.author = self.string(e, n)?,
                Some(n @ k::Company) => p.company = self.string(e, n)?,
                Some(n @ k::ScheduleFromStart) => p.schedule_from_start = self.boolean(e, n)?,
                Some(n @ k::StartDate) => p.start_date = self.date(e, n)?,
                Some(n @ k::FinishDate) => p.finish_date = self.date(e, n)?,
                Some(n @ k::StatusDate) => p.status_date = self.date(e, n)?,
                Some(n @ k::CurrentDate) => p.current_date = self.date(e, n)?,
                Some(n @ k::CalendarUID) => p.calendar_uid = self.uid_ref(e, n)?,
                Some(n @ k::DefaultStartTime) => p.default_start_time = self.time(e, n)?,
                Some(n @ k::DefaultFinishTime) => p.default_finish_time = self.time(e, n)?,
                Some(n @ k::MinutesPerDay) => p.minutes_per_day = self.int(e, n)?,
                Some(n @ k::MinutesPerWeek) => p.minutes_per_week = self.int(e, n)?,
                Some(n @ k::DaysPerMonth) => p.days_per_month = self.int(e, n)?,
                Some(n @ k::DurationFormat) => p.duration_format = self.format(e, n)?,
                Some(n @ k::CurrencyCode) => p.currency_code = self.string(e, n)?,
                Some(n @ k::CurrencySymbol) => p.currency_symbol = self.string(e, n)?,
                Some(n @ k::CurrencyDigits) => p.currency_digits = self.int(e, n)?,
                Some(n @ k::HonorConstraints) => p.honor_constraints = self.boolean(e, n)?,
                Some(k::Calendars) if !e => {
                    self.path.push("Calendars");
                    while let Some((name, e)) = self.child()? {
                        match name {
                            Some(k::Calendar) => {
                                if p.calendars.len() >= self.lim.max_calendars {
                                    return Err(self.too_many("calendars", self.lim.max_calendars));
                                }
                                let c = self.calendar(e)?;
                                p.calendars.push(c);
                            }
                            _ => self.other(name, e)?,
                        }
                    }
                    self.path.pop();
                }
                Some(k::Tasks) if !e => {
                    self.path.push("Tasks");
                    loop {
                        if self.open_child(b"<Task>") {
                            self.push_task(&mut p.tasks, false)?;
                            continue;
                        }
                        let Some((name, e)) = self.child()? else {
                            break;
                        };
                        match name {
                            Some(k::Task) => self.push_task(&mut p.tasks, e)?,
                            _ => self.other(name, e)?,
                        }
                    }
                    self.path.pop();
                }
                Some(k::Resources) if !e => {
                    self.path.push("Resources");
                    while let Some((name, e)) = self.child()? {
                        match name {
                            Some(k::Resource) => {
                                if p.resources.len() >= self.lim.max_resources {
                                    return Err(self.too_many("resources", self.lim.max_resources));
                                }
                                let r = self.resource(e)?;
                                p.resources.push(r);
                            }
                            _ => self.other(name, e)?,
                        }
                    }
                    self.path.pop();
                }
                Some(k::Assignments) if !e => {
                    self.path.push("Assignments");
                    while let Some((name, e)) = self.child()? {
                        match name {
                            Some(k::Assignment) => {
                                if p.assignments.len() >= self.lim.max_assignments {
                                    return Err(
                                        self.too_many("assignments", self.lim.max_assignments)
                                    );
                                }
                                let a = self.assignment(e)?;
                                p.assignments.push(a);
                            }
                            _ => self.other(name, e)?,
                        }
                    }
                    self.path.pop();
                }
                _ => self.other(name, e)?,
            }
        }
        self.path.pop();
        Ok(p)
    }

    fn count_exception(&mut self) -> R<()> {
        self.exceptions += 1;
        if self.exceptions > self.lim.max_exceptions {
            return Err(self.too_many("calendar exceptions", self.lim.max_exceptions));
        }
        Ok(())
    }

    fn calendar(&mut self, empty: bool) -> R<Calendar> {
        let mut c = Calendar::default();
        let mut uid = None;
        let mut legacy = Vec::new();
        if !empty {
            self.path.push("Calendar");
            while let Some((name, e)) = self.child()? {
                match name {
                    Some(n @ k::UID) => uid = self.int::<i32>(e, n)?,
                    Some(n @ k::Name) => c.name = self.string(e, n)?,
                    Some(n @ k::IsBaseCalendar) => c.is_base = self.flag(e, n)?,
                    Some(n @ k::BaseCalendarUID) => c.base_calendar_uid = self.uid_ref(e, n)?,
                    Some(k::WeekDays) if !e => {
                        let (days, exc) = self.week_days()?;
                        c.week_days.extend(days);
                        legacy.extend(exc);
                    }
                    Some(k::Exceptions) if !e => {
                        self.path.push("Exceptions");
                        while let Some((name, e)) = self.child()? {
                            match name {
                                Some(k::Exception) => {
                                    self.count_exception()?;
                                    if let Some(x) = self.exception(e)? {
                                        c.exceptions.push(x);
                                    }
                                }
                                _ => self.other(name, e)?,
                            }
                        }
                        self.path.pop();
                    }
                    Some(k::WorkWeeks) if !e => {
                        self.path.push("WorkWeeks");
                        while let Some((name, e)) = self.child()? {
                            match name {
                                Some(k::WorkWeek) => {
                                    self.count_exception()?;
                                    if let Some(w) = self.work_week(e)? {
                                        c.work_weeks.push(w);
                                    }
                                }
                                _ => self.other(name, e)?,
                            }
                        }
                        self.path.pop();
                    }
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        c.uid = match uid {
            Some(u) => u,
            None => return Err(self.missing("Calendar", "calendar has no UID")),
        };
        // Legacy exceptions (`WeekDay` with `DayType` 0) count only when there are no 2007+
        // `Exceptions`: MS Project writes both forms for the same exceptions.
        if c.exceptions.is_empty() {
            c.exceptions = legacy;
        }
        Ok(c)
    }

    fn missing(&mut self, element: &'static str, reason: &'static str) -> MspdiError {
        let at = self.pos(self.r.buffer_position());
        MspdiError::Value {
            at,
            element: element.to_string(),
            value: String::new(),
            reason,
        }
    }

    /// `WeekDays`: normal days, plus legacy exceptions (`DayType` 0 with a `TimePeriod`).
    fn week_days(&mut self) -> R<(Vec<WeekDay>, Vec<CalendarException>)> {
        let mut days = Vec::new();
        let mut exc = Vec::new();
        self.path.push("WeekDays");
        while let Some((name, e)) = self.child()? {
            match name {
                Some(k::WeekDay) => {
                    let mut day_type = None;
                    let mut working = None;
                    let mut period = None;
                    let mut times = Vec::new();
                    if !e {
                        self.path.push("WeekDay");
                        while let Some((name, e)) = self.child()? {
                            match name {
                                Some(n @ k::DayType) => day_type = self.int::<u8>(e, n)?,
                                Some(n @ k::DayWorking) => working = self.boolean(e, n)?,
                                Some(k::TimePeriod) if !e => period = Some(self.time_period()?),
                                Some(k::WorkingTimes) if !e => times = self.working_times()?,
                                _ => self.other(name, e)?,
                            }
                        }
                        self.path.pop();
                    }
                    match day_type {
                        Some(0) => {
                            if let Some((Some(from), Some(to))) = period {
                                self.count_exception()?;
                                exc.push(CalendarException {
                                    name: None,
                                    from,
                                    to,
                                    working: working.unwrap_or(!times.is_empty()),
                                    times,
                                    recurrence: Recurrence::default(),
                                });
                            }
                        }
                        Some(d @ 1..=7) => days.push(WeekDay {
                            day_type: d,
                            working: working.unwrap_or(false),
                            times,
                        }),
                        _ => {
                            self.text = Cow::Borrowed("");
                            self.warn(k::DayType, "week day without a DayType in 0..=7 dropped");
                        }
                    }
                }
                _ => self.other(name, e)?,
            }
        }
        self.path.pop();
        Ok((days, exc))
    }

    fn time_period(&mut self) -> R<(Option<DateTime>, Option<DateTime>)> {
        let (mut from, mut to) = (None, None);
        self.path.push("TimePeriod");
        while let Some((name, e)) = self.child()? {
            match name {
                Some(n @ k::FromDate) => from = self.date(e, n)?,
                Some(n @ k::ToDate) => to = self.date(e, n)?,
                _ => self.other(name, e)?,
            }
        }
        self.path.pop();
        Ok((from, to))
    }

    fn working_times(&mut self) -> R<Vec<WorkingTime>> {
        let mut out = Vec::new();
        self.path.push("WorkingTimes");
        while let Some((name, e)) = self.child()? {
            match name {
                Some(k::WorkingTime) => {
                    let (mut from, mut to) = (None, None);
                    if !e {
                        self.path.push("WorkingTime");
                        while let Some((name, e)) = self.child()? {
                            match name {
                                Some(n @ k::FromTime) => from = self.time(e, n)?,
                                Some(n @ k::ToTime) => to = self.time(e, n)?,
                                _ => self.other(name, e)?,
                            }
                        }
                        self.path.pop();
                    }
                    if let (Some(from), Some(to)) = (from, to) {
                        if out.len() >= 48 {
                            self.text = Cow::Borrowed("");
                            self.warn(k::WorkingTime, "more than 48 intervals in a day");
                            continue;
                        }
                        // ToTime 00:00:00 is midnight at the end of the day.
                        let to = if to == 0 { 1440 } else { to };
                        out.push(WorkingTime { from, to });
                    }
                }
                _ => self.other(name, e)?,
            }
        }
        self.path.pop();
        Ok(out)
    }

    fn exception(&mut self, empty: bool) -> R<Option<CalendarException>> {
        let mut name_ = None;
        let mut period = (None, None);
        let mut working = None;
        let mut times = Vec::new();
        let mut r = Recurrence::default();
        if !empty {
            self.path.push("Exception");
            while let Some((name, e)) = self.child()? {
                match name {
                    Some(n @ k::EnteredByOccurrences) => {
                        r.entered_by_occurrences = self.boolean(e, n)?
                    }
                    Some(k::TimePeriod) if !e => period = self.time_period()?,
                    Some(n @ k::Occurrences) => r.occurrences = self.int(e, n)?,
                    Some(n @ k::Name) => name_ = self.string(e, n)?,
                    Some(n @ k::Type) => {
                        if let Some(code) = self.i64v(e, n)? {
                            r.kind = RecurrenceKind::from_code(code);
                            if r.kind.is_none() {
                                self.warn(n, "unknown exception type");
                            }
                        }
                    }
                    Some(n @ k::Period) => r.period = self.int(e, n)?,
                    Some(n @ k::DaysOfWeek) => r.days_of_week = self.int(e, n)?,
                    Some(n @ k::MonthItem) => r.month_item = self.int(e, n)?,
                    Some(n @ k::MonthPosition) => r.month_position = self.int(e, n)?,
                    Some(n @ k::Month) => r.month = self.int(e, n)?,
                    Some(n @ k::MonthDay) => r.month_day = self.int(e, n)?,
                    Some(n @ k::DayWorking) => working = self.boolean(e, n)?,
                    Some(k::WorkingTimes) if !e => times = self.working_times()?,
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        let (Some(from), Some(to)) = period else {
            self.text = Cow::Borrowed("");
            self.warn(k::Exception, "exception without FromDate/ToDate dropped");
            return Ok(None);
        };
        // MS Project writes a plain date range as a daily pattern with period 1.
        if r.kind == Some(RecurrenceKind::Daily) && r.period.unwrap_or(1) <= 1 {
            r.kind = None;
        }
        Ok(Some(CalendarException {
            name: name_,
            from,
            to,
            working: working.unwrap_or(!times.is_empty()),
            times,
            recurrence: r,
        }))
    }

    fn work_week(&mut self, empty: bool) -> R<Option<WorkWeek>> {
        let mut name_ = None;
        let mut period = (None, None);
        let mut days = Vec::new();
        if !empty {
            self.path.push("WorkWeek");
            while let Some((name, e)) = self.child()? {
                match name {
                    Some(k::TimePeriod) if !e => period = self.time_period()?,
                    Some(n @ k::Name) => name_ = self.string(e, n)?,
                    Some(k::WeekDays) if !e => days = self.week_days()?.0,
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        let (Some(from), Some(to)) = period else {
            self.text = Cow::Borrowed("");
            self.warn(k::WorkWeek, "work week without FromDate/ToDate dropped");
            return Ok(None);
        };
        Ok(Some(WorkWeek {
            name: name_,
            from,
            to,
            week_days: days,
        }))
    }

    /// Reads a task into `t` (a default task).
    fn task(&mut self, empty: bool, t: &mut Task) -> R<()> {
        let mut uid = None;
        if !empty {
            self.path.push("Task");
            loop {
                if self.fast_leaves(|name, text| task_leaf(t, &mut uid, name, text)) {
                    break;
                }
                if self.open_child(b"<PredecessorLink>") {
                    self.predecessor(false, t)?;
                    continue;
                }
                let Some((name, e)) = self.child()? else {
                    break;
                };
                match name {
                    Some(n @ k::UID) => uid = self.int::<i32>(e, n)?,
                    Some(n @ k::ID) => t.id = self.int(e, n)?,
                    Some(n @ k::Name) => t.name = self.string(e, n)?,
                    Some(n @ k::Active) => t.active = self.boolean(e, n)?,
                    Some(n @ k::Manual) => t.manual = self.flag(e, n)?,
                    Some(n @ k::Type) => t.task_type = self.int(e, n)?,
                    Some(n @ k::IsNull) => t.is_null = self.flag(e, n)?,
                    Some(n @ k::WBS) => t.wbs = self.string(e, n)?,
                    Some(n @ k::OutlineNumber) => t.outline_number = self.string(e, n)?,
                    Some(n @ k::OutlineLevel) => t.outline_level = self.int(e, n)?,
                    Some(n @ k::Priority) => t.priority = self.int(e, n)?,
                    Some(n @ k::Start) => t.start = self.date(e, n)?,
                    Some(n @ k::Finish) => t.finish = self.date(e, n)?,
                    Some(n @ k::Duration) => t.duration = self.duration(e, n)?,
                    Some(n @ k::DurationFormat) => t.duration_format = self.format(e, n)?,
                    Some(n @ k::Work) => t.work = self.duration(e, n)?,
                    Some(n @ k::Stop) => t.stop = self.date(e, n)?,
                    Some(n @ k::Resume) => t.resume = self.date(e, n)?,
                    Some(n @ k::EffortDriven) => t.effort_driven = self.boolean(e, n)?,
                    Some(n @ k::Estimated) => t.estimated = self.boolean(e, n)?,
                    Some(n @ k::Milestone) => t.milestone = self.flag(e, n)?,
                    Some(n @ k::Summary) => t.summary = self.flag(e, n)?,
                    Some(n @ k::IsSubproject) => t.is_subproject = self.flag(e, n)?,
                    Some(n @ k::SubprojectName) => t.subproject_name = self.string(e, n)?,
                    Some(n @ k::ExternalTask) => t.external_task = self.flag(e, n)?,
                    Some(n @ k::ExternalTaskProject) => {
                        t.external_task_project = self.string(e, n)?
                    }
                    Some(n @ k::FixedCost) => t.fixed_cost = self.money(e, n)?,
                    Some(n @ k::FixedCostAccrual) => t.fixed_cost_accrual = self.int(e, n)?,
                    Some(n @ k::PercentComplete) => t.percent_complete = self.percent(e, n)?,
                    Some(n @ k::PercentWorkComplete) => {
                        t.percent_work_complete = self.percent(e, n)?
                    }
                    Some(n @ k::Cost) => t.cost = self.money(e, n)?,
                    Some(n @ k::ActualStart) => t.actual_start = self.date(e, n)?,
                    Some(n @ k::ActualFinish) => t.actual_finish = self.date(e, n)?,
                    Some(n @ k::ActualDuration) => t.actual_duration = self.duration(e, n)?,
                    Some(n @ k::ActualCost) => t.actual_cost = self.money(e, n)?,
                    Some(n @ k::ActualWork) => t.actual_work = self.duration(e, n)?,
                    Some(n @ k::RemainingDuration) => t.remaining_duration = self.duration(e, n)?,
                    Some(n @ k::RemainingCost) => t.remaining_cost = self.money(e, n)?,
                    Some(n @ k::RemainingWork) => t.remaining_work = self.duration(e, n)?,
                    Some(n @ k::ConstraintType) => {
                        if let Some(code) = self.i64v(e, n)? {
                            t.constraint_type = ConstraintType::from_code(code);
                            if t.constraint_type.is_none() {
                                self.warn(n, "unknown constraint type");
                            }
                        }
                    }
                    Some(n @ k::CalendarUID) => t.calendar_uid = self.uid_ref(e, n)?,
                    Some(n @ k::ConstraintDate) => t.constraint_date = self.date(e, n)?,
                    Some(n @ k::Deadline) => t.deadline = self.date(e, n)?,
                    Some(n @ k::IgnoreResourceCalendar) => {
                        t.ignore_resource_calendar = self.boolean(e, n)?
                    }
                    Some(n @ k::Notes) => t.notes = self.string(e, n)?,
                    Some(n @ k::PhysicalPercentComplete) => {
                        t.physical_percent_complete = self.percent(e, n)?
                    }
                    Some(k::PredecessorLink) => self.predecessor(e, t)?,
                    Some(k::Baseline) => {
                        if let Some(b) = self.task_baseline(e)? {
                            if t.baselines.len() >= 11 {
                                self.text = Cow::Borrowed("");
                                self.warn(k::Baseline, "more than 11 baselines");
                            } else {
                                t.baselines.push(b);
                            }
                        }
                    }
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        t.uid = match uid {
            Some(u) => u,
            None => return Err(self.missing("Task", "task has no UID")),
        };
        Ok(())
    }

    /// A task of the `Tasks` list, read in place (a task is large, and moving it costs
    /// copies).
    fn push_task(&mut self, tasks: &mut Vec<Task>, empty: bool) -> R<()> {
        if tasks.len() >= self.lim.max_tasks {
            return Err(self.too_many("tasks", self.lim.max_tasks));
        }
        if tasks.is_empty() {
            // A task takes at least a few hundred bytes of file in practice: reserve once
            // rather than grow and copy.
            tasks.reserve((self.xml.len() / 512).min(self.lim.max_tasks));
        }
        tasks.push(Task::default());
        if let Some(t) = tasks.last_mut() {
            self.task(empty, t)?;
        }
        Ok(())
    }

    /// A `PredecessorLink` of task `t`, counted against the link limit.
    fn predecessor(&mut self, empty: bool, t: &mut Task) -> R<()> {
        self.links += 1;
        if self.links > self.lim.max_links {
            return Err(self.too_many("predecessor links", self.lim.max_links));
        }
        if let Some(l) = self.link(empty)? {
            t.predecessors.push(l);
        }
        Ok(())
    }

    fn link(&mut self, empty: bool) -> R<Option<PredecessorLink>> {
        let mut uid = None;
        let mut l = PredecessorLink {
            predecessor_uid: 0,
            link_type: LinkType::FinishToStart,
            cross_project: false,
            cross_project_name: None,
            lag: 0,
            lag_format: None,
        };
        if !empty {
            self.path.push("PredecessorLink");
            loop {
                if self.fast_leaves(|name, text| link_leaf(&mut l, &mut uid, name, text)) {
                    break;
                }
                let Some((name, e)) = self.child()? else {
                    break;
                };
                match name {
                    Some(n @ k::PredecessorUID) => uid = self.int::<i32>(e, n)?,
                    Some(n @ k::Type) => {
                        if let Some(code) = self.i64v(e, n)? {
                            match LinkType::from_code(code) {
                                Some(k) => l.link_type = k,
                                None => self.warn(n, "unknown link type, finish-to-start used"),
                            }
                        }
                    }
                    Some(n @ k::CrossProject) => l.cross_project = self.flag(e, n)?,
                    Some(n @ k::CrossProjectName) => l.cross_project_name = self.string(e, n)?,
                    Some(n @ k::LinkLag) => {
                        // Some writers emit decimals; the unit is a tenth of a minute.
                        l.lag = match self.float(e, n)? {
                            None => 0,
                            Some(v) if v.abs() <= 1.0e15 => v.round() as i64,
                            Some(_) => return Err(self.bad(n, "number out of range")),
                        }
                    }
                    Some(n @ k::LagFormat) => l.lag_format = self.format(e, n)?,
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        match uid {
            Some(u) => {
                l.predecessor_uid = u;
                Ok(Some(l))
            }
            None => {
                self.text = Cow::Borrowed("");
                self.warn(k::PredecessorLink, "link without PredecessorUID dropped");
                Ok(None)
            }
        }
    }

    fn baseline_number(&mut self, e: bool) -> R<Option<u8>> {
        let n = self.int::<i64>(e, k::Number)?;
        match n {
            Some(v @ 0..=10) => Ok(Some(v as u8)),
            Some(_) => {
                self.warn(k::Number, "baseline number outside 0..=10");
                Ok(None)
            }
            None => Ok(None),
        }
    }

    fn task_baseline(&mut self, empty: bool) -> R<Option<TaskBaseline>> {
        let mut b = TaskBaseline::default();
        let mut number = None;
        if !empty {
            self.path.push("Baseline");
            while let Some((name, e)) = self.child()? {
                match name {
                    Some(k::Number) => number = self.baseline_number(e)?,
                    Some(n @ k::Start) => b.start = self.date(e, n)?,
                    Some(n @ k::Finish) => b.finish = self.date(e, n)?,
                    Some(n @ k::Duration) => b.duration = self.duration(e, n)?,
                    Some(n @ k::DurationFormat) => b.duration_format = self.format(e, n)?,
                    Some(n @ k::Work) => b.work = self.duration(e, n)?,
                    Some(n @ k::Cost) => b.cost = self.money(e, n)?,
                    Some(n @ k::BCWS) => b.bcws = self.money(e, n)?,
                    Some(n @ k::BCWP) => b.bcwp = self.money(e, n)?,
                    Some(n @ k::FixedCost) => b.fixed_cost = self.money(e, n)?,
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        Ok(number.map(|n| {
            b.number = n;
            b
        }))
    }

    fn work_baseline(&mut self, empty: bool, dates: bool) -> R<Option<WorkBaseline>> {
        let mut b = WorkBaseline::default();
        let mut number = None;
        if !empty {
            self.path.push("Baseline");
            while let Some((name, e)) = self.child()? {
                match name {
                    Some(k::Number) => number = self.baseline_number(e)?,
                    Some(n @ k::Start) if dates => b.start = self.date(e, n)?,
                    Some(n @ k::Finish) if dates => b.finish = self.date(e, n)?,
                    Some(n @ k::Work) => b.work = self.duration(e, n)?,
                    Some(n @ k::Cost) => b.cost = self.money(e, n)?,
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        Ok(number.map(|n| {
            b.number = n;
            b
        }))
    }

    fn resource(&mut self, empty: bool) -> R<Resource> {
        let mut r = Resource::default();
        let mut uid = None;
        let mut cost_resource = false;
        if !empty {
            self.path.push("Resource");
            while let Some((name, e)) = self.child()? {
                match name {
                    Some(n @ k::UID) => uid = self.int::<i32>(e, n)?,
                    Some(n @ k::ID) => r.id = self.int(e, n)?,
                    Some(n @ k::Name) => r.name = self.string(e, n)?,
                    Some(n @ k::Type) => {
                        if let Some(code) = self.i64v(e, n)? {
                            r.resource_type = match code {
                                0 => Some(ResourceType::Material),
                                1 => Some(ResourceType::Work),
                                2 => Some(ResourceType::Cost),
                                _ => {
                                    self.warn(n, "unknown resource type");
                                    None
                                }
                            }
                        }
                    }
                    Some(n @ k::IsNull) => r.is_null = self.flag(e, n)?,
                    Some(n @ k::Initials) => r.initials = self.string(e, n)?,
                    Some(n @ k::Group) => r.group = self.string(e, n)?,
                    Some(n @ k::EmailAddress) => r.email = self.string(e, n)?,
                    Some(n @ k::MaxUnits) => r.max_units = self.float(e, n)?,
                    Some(n @ k::Work) => r.work = self.duration(e, n)?,
                    Some(n @ k::ActualWork) => r.actual_work = self.duration(e, n)?,
                    Some(n @ k::StandardRate) => r.standard_rate = self.float(e, n)?,
                    Some(n @ k::Cost) => r.cost = self.money(e, n)?,
                    Some(n @ k::StandardRateFormat) => r.standard_rate_format = self.int(e, n)?,
                    Some(n @ k::OvertimeRate) => r.overtime_rate = self.float(e, n)?,
                    Some(n @ k::OvertimeRateFormat) => r.overtime_rate_format = self.int(e, n)?,
                    Some(n @ k::CostPerUse) => r.cost_per_use = self.money(e, n)?,
                    Some(n @ k::ActualCost) => r.actual_cost = self.money(e, n)?,
                    Some(n @ k::CalendarUID) => r.calendar_uid = self.uid_ref(e, n)?,
                    Some(n @ k::IsCostResource) => cost_resource = self.flag(e, n)?,
                    Some(k::Baseline) => {
                        if let Some(b) = self.work_baseline(e, false)?
                            && r.baselines.len() < 11
                        {
                            r.baselines.push(b);
                        }
                    }
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        if cost_resource {
            r.resource_type = Some(ResourceType::Cost);
        }
        r.uid = match uid {
            Some(u) => u,
            None => return Err(self.missing("Resource", "resource has no UID")),
        };
        Ok(r)
    }

    fn assignment(&mut self, empty: bool) -> R<Assignment> {
        let mut a = Assignment::default();
        let (mut uid, mut task, mut res) = (None, None, None);
        if !empty {
            self.path.push("Assignment");
            while let Some((name, e)) = self.child()? {
                match name {
                    Some(n @ k::UID) => uid = self.int::<i32>(e, n)?,
                    Some(n @ k::TaskUID) => task = self.int::<i32>(e, n)?,
                    Some(n @ k::ResourceUID) => res = self.int::<i32>(e, n)?,
                    Some(n @ k::PercentWorkComplete) => {
                        a.percent_work_complete = self.percent(e, n)?
                    }
                    Some(n @ k::ActualCost) => a.actual_cost = self.money(e, n)?,
                    Some(n @ k::ActualFinish) => a.actual_finish = self.date(e, n)?,
                    Some(n @ k::ActualStart) => a.actual_start = self.date(e, n)?,
                    Some(n @ k::ActualWork) => a.actual_work = self.duration(e, n)?,
                    Some(n @ k::Cost) => a.cost = self.money(e, n)?,
                    Some(n @ k::Finish) => a.finish = self.date(e, n)?,
                    Some(n @ k::RemainingWork) => a.remaining_work = self.duration(e, n)?,
                    Some(n @ k::Start) => a.start = self.date(e, n)?,
                    Some(n @ k::Units) => a.units = self.float(e, n)?,
                    Some(n @ k::Work) => a.work = self.duration(e, n)?,
                    Some(k::Baseline) => {
                        if let Some(b) = self.work_baseline(e, true)?
                            && a.baselines.len() < 11
                        {
                            a.baselines.push(b);
                        }
                    }
                    _ => self.other(name, e)?,
                }
            }
            self.path.pop();
        }
        match (uid, task, res) {
            (Some(u), Some(t), Some(r)) => {
                a.uid = u;
                a.task_uid = t;
                a.resource_uid = r;
                Ok(a)
            }
            _ => Err(self.missing(
                "Assignment",
                "assignment needs UID, TaskUID and ResourceUID",
            )),
        }
    }
}

/// A plain integer that fits `T` (what [`Src::int`] reads without a word).
#[inline(always)]
fn fast_int<T: TryFrom<i64>>(text: &str) -> Option<T> {
    T::try_from(plain_i64(text)?).ok()
}

/// A flag as [`Src::boolean`] reads it.
#[inline(always)]
fn fast_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "true" | "True" | "TRUE" => Some(true),
        "0" | "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A duration as [`Src::duration`] reads it: the usual form inline, anything else through
/// the general parser.
#[inline(always)]
fn fast_duration(text: &str) -> Option<i64> {
    plain_duration(text.as_bytes()).or_else(|| parse_duration(text).ok())
}

/// A duration format code [`Src::format`] takes without a warning.
#[inline]
fn fast_format(text: &str) -> Option<DurationFormat> {
    DurationFormat::from_code(plain_i64(text)?)
}

/// The common task fields for [`Src::fast_leaves`], stored as the typed readers of
/// [`Src::task`] store them; `false` (nothing stored) for anything else.
fn task_leaf(t: &mut Task, uid: &mut Option<i32>, name: &[u8], text: &str) -> bool {
    let date = || parse_datetime(text);
    let duration = || fast_duration(text);
    let stored = match name {
        b"UID" => fast_int(text).map(|v| *uid = Some(v)),
        b"ID" => fast_int(text).map(|v| t.id = Some(v)),
        b"Name" => {
            t.name = Some(text.to_string());
            Some(())
        }
        b"Type" => fast_int(text).map(|v| t.task_type = Some(v)),
        b"Manual" => fast_bool(text).map(|v| t.manual = v),
        b"Active" => fast_bool(text).map(|v| t.active = Some(v)),
        b"Milestone" => fast_bool(text).map(|v| t.milestone = v),
        b"Summary" => fast_bool(text).map(|v| t.summary = v),
        b"OutlineLevel" => fast_int(text).map(|v| t.outline_level = Some(v)),
        b"Priority" => fast_int(text).map(|v| t.priority = Some(v)),
        b"Start" => date().map(|v| t.start = Some(v)),
        b"Finish" => date().map(|v| t.finish = Some(v)),
        b"ConstraintDate" => date().map(|v| t.constraint_date = Some(v)),
        b"Deadline" => date().map(|v| t.deadline = Some(v)),
        b"Duration" => duration().map(|v| t.duration = Some(v)),
        b"Work" => duration().map(|v| t.work = Some(v)),
        b"ActualDuration" => duration().map(|v| t.actual_duration = Some(v)),
        b"RemainingDuration" => duration().map(|v| t.remaining_duration = Some(v)),
        b"DurationFormat" => fast_format(text).map(|v| t.duration_format = Some(v)),
        b"ConstraintType" => plain_i64(text)
            .and_then(ConstraintType::from_code)
            .map(|v| t.constraint_type = Some(v)),
        b"CalendarUID" => {
            fast_int::<i32>(text).map(|v| t.calendar_uid = Some(v).filter(|v| *v >= 0))
        }
        // `percent`: a whole number in range is stored as is.
        b"PercentComplete" => fast_int::<u16>(text).map(|v| t.percent_complete = Some(v)),
        _ => None,
    };
    stored.is_some()
}

/// The fields of a predecessor link for [`Src::fast_leaves`], as [`Src::link`] stores them.
fn link_leaf(l: &mut PredecessorLink, uid: &mut Option<i32>, name: &[u8], text: &str) -> bool {
    let stored = match name {
        b"PredecessorUID" => fast_int(text).map(|v| *uid = Some(v)),
        b"Type" => plain_i64(text)
            .and_then(LinkType::from_code)
            .map(|v| l.link_type = v),
        b"CrossProject" => fast_bool(text).map(|v| l.cross_project = v),
        // `float` then rounding: exact for integers this small.
        b"LinkLag" => plain_i64(text)
            .filter(|v| v.abs() <= 1_000_000_000_000_000)
            .map(|v| l.lag = v),
        b"LagFormat" => fast_format(text).map(|v| l.lag_format = Some(v)),
        _ => None,
    };
    stored.is_some()
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// An optional minus and 1 to 18 digits (what `i64` parsing accepts, and cannot overflow).
#[inline(always)]
fn plain_i64(t: &str) -> Option<i64> {
    let (neg, d) = match t.as_bytes() {
        [b'-', d @ ..] => (true, d),
        d => (false, d),
    };
    if d.is_empty() || d.len() > 18 {
        return None;
    }
    let mut v = 0i64;
    for &c in d {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(if neg { -v } else { v })
}

fn parse_i64(t: &str) -> Result<i64, &'static str> {
    use std::num::IntErrorKind;
    match t.parse::<i64>() {
        Ok(v) => Ok(v),
        Err(e) => match e.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => Err("number out of range"),
            _ => {
                // Tolerate "12.0" as written by some tools.
                if let Some((a, b)) = t.split_once('.')
                    && !b.is_empty()
                    && b.bytes().all(|c| c == b'0')
                {
                    return parse_i64(a);
                }
                Err("not an integer")
            }
        },
    }
}

fn parse_f64(t: &str) -> Result<f64, &'static str> {
    // Rust accepts "inf" and "NaN"; MSPDI never has them.
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return Err("not a number");
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() < 1e300 => Ok(v),
        Ok(_) => Err("number out of range"),
        Err(_) => Err("not a number"),
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
}

/// `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±hh:mm]`; a zone suffix is ignored (MSPDI is local time).
pub(super) fn parse_datetime(t: &str) -> Option<DateTime> {
    let b = t.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4])?;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    let (mut hh, mut mm, mut ss) = (0, 0, 0);
    if b.len() > 10 {
        if b[10] != b'T' && b[10] != b' ' {
            return None;
        }
        let rest = &t[11..];
        let rest = rest
            .trim_end_matches('Z')
            .split(['+', '-'])
            .next()
            .unwrap_or("");
        let time = rest.split('.').next().unwrap_or("");
        let mut parts = time.split(':');
        hh = digits(parts.next()?.as_bytes())?;
        mm = digits(parts.next()?.as_bytes())?;
        if let Some(s) = parts.next() {
            ss = digits(s.as_bytes())?;
        }
        if parts.next().is_some() {
            return None;
        }
    }
    DateTime::new(
        i32::try_from(y).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(d).ok()?,
        u8::try_from(hh).ok()?,
        u8::try_from(mm).ok()?,
        u8::try_from(ss).ok()?,
    )
}

/// `HH:MM[:SS[.fff]]` into minutes since midnight (seconds dropped); `24:00:00` is 1440.
fn parse_time(t: &str) -> Option<u16> {
    let t = t.split('.').next().unwrap_or("");
    let mut parts = t.split(':');
    let h = digits(parts.next()?.as_bytes())?;
    let m = digits(parts.next()?.as_bytes())?;
    let s = match parts.next() {
        Some(s) => digits(s.as_bytes())?,
        None => 0,
    };
    if parts.next().is_some() || m > 59 || s > 59 || h > 24 || (h == 24 && (m > 0 || s > 0)) {
        return None;
    }
    Some((h * 60 + m) as u16)
}

/// The usual `PT{h}H{m}M{s}S` with at most nine digits each: the general parser's result
/// (whole seconds, so no fraction to add), without its wide arithmetic. Rounding to minutes
/// in integers is exact here: below 2^53 seconds, `s / 60.0` is never pushed across a half.
#[inline]
fn plain_duration(t: &[u8]) -> Option<i64> {
    let rest = t.strip_prefix(b"PT")?;
    let mut seconds = 0i64;
    let mut v = 0i64;
    let mut nd = 0u32;
    let mut unit = 0usize;
    for &c in rest {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            if nd == 9 {
                return None;
            }
            v = v * 10 + i64::from(d);
            nd += 1;
            continue;
        }
        let (u, mul) = *[(b'H', 3600), (b'M', 60), (b'S', 1)].get(unit)?;
        if c != u || nd == 0 {
            return None;
        }
        seconds += v * mul;
        v = 0;
        nd = 0;
        unit += 1;
    }
    (unit == 3 && nd == 0).then_some((seconds + 30) / 60)
}

/// An xsd:duration as MSPDI writes it (`PT8H0M0S`, `-PT1H`, `P2DT4H`) into whole minutes.
/// Days are 24 hours; years and months are refused (MSPDI never writes them).
pub(super) fn parse_duration(t: &str) -> Result<i64, &'static str> {
    if let Some(m) = plain_duration(t.as_bytes()) {
        return Ok(m);
    }
    const BAD: &str = "expected a duration like PT8H0M0S";
    const RANGE: &str = "number out of range";
    let (neg, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let rest = rest.strip_prefix('P').ok_or(BAD)?.as_bytes();
    // Whole seconds in integers (the common case), fractions in f64 on the side.
    let mut seconds: i128 = 0;
    let mut frac_seconds = 0f64;
    let mut in_time = false;
    let mut any = false;
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'T' && !in_time {
            in_time = true;
            i += 1;
            continue;
        }
        let start = i;
        let mut whole: i128 = 0;
        while i < rest.len() && rest[i].is_ascii_digit() {
            whole = whole * 10 + i128::from(rest[i] - b'0');
            if whole > 1_000_000_000_000_000 {
                return Err(RANGE);
            }
            i += 1;
        }
        let mut frac = 0f64;
        if i < rest.len() && rest[i] == b'.' {
            let fs = i;
            i += 1;
            while i < rest.len() && rest[i].is_ascii_digit() {
                i += 1;
            }
            frac = std::str::from_utf8(&rest[fs..i])
                .ok()
                .and_then(|f| format!("0{f}").parse::<f64>().ok())
                .ok_or(BAD)?;
        }
        if i == start || i >= rest.len() {
            return Err(BAD);
        }
        let unit: i64 = match (in_time, rest[i]) {
            (false, b'D') => 86_400,
            (true, b'H') => 3_600,
            (true, b'M') => 60,
            (true, b'S') => 1,
            (false, b'Y') | (false, b'M') => {
                return Err("years and months are not supported in durations");
            }
            _ => return Err(BAD),
        };
        i += 1;
        any = true;
        seconds += whole * i128::from(unit);
        frac_seconds += frac * unit as f64;
    }
    if !any {
        return Err(BAD);
    }
    // The same correctly rounded conversion, through i64 when it fits (i128 is slow).
    let seconds = match i64::try_from(seconds) {
        Ok(s) => s as f64,
        Err(_) => seconds as f64,
    };
    let minutes = ((seconds + frac_seconds) / 60.0).round();
    // 10^13 minutes is about 19 million years: anything beyond is hostile or corrupt.
    if !minutes.is_finite() || minutes > 1e13 {
        return Err(RANGE);
    }
    let m = minutes as i64;
    Ok(if neg { -m } else { m })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both event sources on the same input: the fast one either bails or agrees exactly.
    fn both(xml: &[u8]) -> (R<Parsed>, R<Parsed>, bool) {
        let lim = Limits::default();
        let mut fast = Src::new(xml, &lim, true);
        let f = parse_with(&mut fast, xml);
        let bailed = matches!(&fast.r, Rd::Fast(x) if x.bailed);
        let mut slow = Src::new(xml, &lim, false);
        (f, parse_with(&mut slow, xml), bailed)
    }

    #[test]
    fn fast_tokenizer_agrees_with_quick_xml_on_fixtures() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let mut fast_files = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "xml") {
                    let xml = std::fs::read(&p).unwrap();
                    let (f, s, bailed) = both(&xml);
                    if !bailed && f.is_ok() {
                        fast_files += 1;
                        assert_eq!(f, s, "{}", p.display());
                    }
                }
            }
        }
        assert!(fast_files > 0, "the fast tokenizer read no fixture");
    }

    #[test]
    fn fast_tokenizer_bails_outside_its_subset() {
        let cases: [&[u8]; 7] = [
            b"<Project><Name>a &amp; b</Name></Project>",
            b"<Project><!-- c --><Name>a</Name></Project>",
            b"<Project><Name><![CDATA[x]]></Name></Project>",
            b"<Project><Name>a</Nam></Project>",
            b"<Project><Name>a\r\nb</Name></Project>",
            b"<Project a='>'><Name>a</Name></Project>",
            b"<Project><Name>a</Name>",
        ];
        for xml in cases {
            let (f, s, bailed) = both(xml);
            assert!(bailed || f == s, "{}", String::from_utf8_lossy(xml));
        }
        // And the public entry point gives the reference reader's answer.
        for xml in cases {
            let (_, s, _) = both(xml);
            assert_eq!(parse(xml, &Limits::default()), s);
        }
    }

    /// Task and link leaves read by the fast path (`fast_leaves`) or handed back to the typed
    /// readers: the model, the warnings and their positions must be those of quick-xml.
    #[test]
    fn fast_leaves_agree_with_quick_xml() {
        let leaves = [
            "<UID>7</UID>",
            "<UID> 7</UID>",
            "<UID>7.0</UID>",
            "<ID>99999999999</ID>",
            "<Name>a b</Name>",
            "<Name> padded </Name>",
            "<Name></Name>",
            "<Name/>",
            "<Name>caf\u{e9}</Name>",
            "<Type>1</Type>",
            "<Type>300</Type>",
            "<Manual>true</Manual>",
            "<Manual>yes</Manual>",
            "<Active>0</Active>",
            "<Milestone>1</Milestone>",
            "<Summary>FALSE</Summary>",
            "<OutlineLevel>-1</OutlineLevel>",
            "<Priority>500</Priority>",
            "<Start>2001-01-01T08:00:00</Start>",
            "<Start>NA</Start>",
            "<Finish>2001-13-01T08:00:00</Finish>",
            "<ConstraintDate>2001-01-02T08:00:00</ConstraintDate>",
            "<Deadline> 2001-01-02T08:00:00</Deadline>",
            "<Duration>PT16H0M0S</Duration>",
            "<Duration>PT1.5H0M0S</Duration>",
            "<Duration>P1Y</Duration>",
            "<Work>PT8H30M0S</Work>",
            "<ActualDuration>PT0H0M0S</ActualDuration>",
            "<RemainingDuration>-PT8H0M0S</RemainingDuration>",
            "<DurationFormat>7</DurationFormat>",
            "<DurationFormat>21</DurationFormat>",
            "<DurationFormat>99</DurationFormat>",
            "<ConstraintType>4</ConstraintType>",
            "<ConstraintType>9</ConstraintType>",
            "<CalendarUID>-1</CalendarUID>",
            "<CalendarUID>3</CalendarUID>",
            "<PercentComplete>50</PercentComplete>",
            "<PercentComplete>50.4</PercentComplete>",
            "<PercentComplete>70000</PercentComplete>",
            "<UID a=\"1\">7</UID>",
            "<Bogus>1</Bogus>",
            "<Name>x</Nam>",
            "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type><CrossProject>0</CrossProject><LinkLag>4800</LinkLag><LagFormat>7</LagFormat></PredecessorLink>",
            "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>9</Type><LinkLag>-12.6</LinkLag><LagFormat>53</LagFormat></PredecessorLink>",
            "<PredecessorLink><PredecessorUID>1</PredecessorUID><LinkLag>1000000000000000</LinkLag></PredecessorLink>",
            "<PredecessorLink><PredecessorUID>1</PredecessorUID><LinkLag>-10000000000000000</LinkLag></PredecessorLink>",
            "<PredecessorLink><Type>1</Type></PredecessorLink>",
            "<PredecessorLink>text</PredecessorLink>",
            // A closed link's next sibling is no field of the link.
            "<PredecessorLink>1</PredecessorLink><Type>2</Type>",
            "<PredecessorLink></PredecessorLink><Type>2</Type>",
        ];
        let mut fast_files = 0;
        for (i, leaf) in leaves.iter().enumerate() {
            // Alone, and among ordinary fields on both sides, on a line of its own.
            for xml in [
                format!("<Project><Tasks><Task><UID>1</UID>{leaf}</Task></Tasks></Project>"),
                format!(
                    "<Project>\n<Tasks>\n<Task><UID>{i}</UID><Name>T</Name>\n{leaf}\n<Duration>PT8H0M0S</Duration></Task>\n</Tasks>\n</Project>"
                ),
            ] {
                let (f, s, bailed) = both(xml.as_bytes());
                if !bailed && f.is_ok() {
                    fast_files += 1;
                }
                assert!(bailed || f == s, "{xml}");
                assert_eq!(parse(xml.as_bytes(), &Limits::default()), s, "{xml}");
            }
        }
        assert!(
            fast_files > 60,
            "the fast path read only {fast_files} cases"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT8H0M0S"), Ok(480));
        assert_eq!(parse_duration("PT0H0M0S"), Ok(0));
        assert_eq!(parse_duration("-PT1H30M"), Ok(-90));
        assert_eq!(parse_duration("P1DT2H"), Ok(1560));
        assert_eq!(parse_duration("PT7H59M59.9S"), Ok(480));
        assert_eq!(parse_duration("PT7H59M30S"), Ok(480));
        assert_eq!(parse_duration("PT7H59M29S"), Ok(479));
        assert_eq!(parse_duration("PT1234567890H0M0S"), Ok(74_074_073_400));
        assert_eq!(plain_duration(b"PT1234567890H0M0S"), None);
        assert_eq!(plain_duration(b"PT16H0M0S"), Some(960));
        assert_eq!(plain_duration(b"PT16H0M"), None);
        assert!(parse_duration("P1Y").is_err());
        assert!(parse_duration("PT").is_err());
        assert!(parse_duration("8h").is_err());
        assert_eq!(
            parse_duration("PT99999999999999999999999H"),
            Err("number out of range")
        );
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            parse_datetime("2001-01-01T08:00:00"),
            DateTime::new(2001, 1, 1, 8, 0, 0)
        );
        assert_eq!(
            parse_datetime("2001-02-03T04:05:06.789+02:00"),
            DateTime::new(2001, 2, 3, 4, 5, 6)
        );
        assert_eq!(parse_datetime("2001-01-01"), DateTime::date(2001, 1, 1));
        assert_eq!(parse_datetime("2001-02-30T00:00:00"), None);
        assert_eq!(parse_datetime("2001-01-01T25:00:00"), None);
        assert_eq!(parse_time("08:00:00"), Some(480));
        assert_eq!(parse_time("24:00:00"), Some(1440));
        assert_eq!(parse_time("24:01:00"), None);
    }

    #[test]
    fn integers() {
        assert_eq!(parse_i64("42"), Ok(42));
        assert_eq!(parse_i64("42.00"), Ok(42));
        assert_eq!(
            parse_i64("99999999999999999999"),
            Err("number out of range")
        );
        assert_eq!(parse_i64("4x"), Err("not an integer"));
        assert_eq!(parse_f64("inf"), Err("not a number"));
        assert_eq!(parse_f64("1e999"), Err("number out of range"));
    }
}
