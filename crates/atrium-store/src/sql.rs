//! A small SQL text builder with numbered `$n` placeholders and typed binds, for the few
//! queries whose shape depends on input (list filters, sorting, visibility scopes).

use uuid::Uuid;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Bind {
    Uuid(Uuid),
    Text(String),
    I64(i64),
    Bool(bool),
}

/// SQL text plus its binds, built in order.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Query {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            binds: Vec::new(),
        }
    }
    /// Appends trusted SQL text (never user input).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }
    /// Appends a placeholder for `b`.
    pub fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        self.text.push_str(&format!("${}", self.binds.len()));
        self
    }
    /// Appends `(p1, p2, …)` for the ids, or `(NULL)` when empty (matches nothing).
    pub fn bind_list(&mut self, ids: &[Uuid]) -> &mut Self {
        if ids.is_empty() {
            return self.push("(NULL)");
        }
        self.push("(");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Bind::Uuid(*id));
        }
        self.push(")")
    }
}

/// Binds every value of a [`Query`] onto a sqlx query (expanded once per backend).
#[macro_export]
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                $crate::Bind::Uuid(v) => q.bind(*v),
                $crate::Bind::Text(v) => q.bind(v.as_str()),
                $crate::Bind::I64(v) => q.bind(*v),
                $crate::Bind::Bool(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// A page request: offset-based behind an opaque cursor.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    pub const MAX_LIMIT: i64 = 500;
    pub fn first(limit: i64) -> Self {
        Self {
            limit: limit.clamp(1, Self::MAX_LIMIT),
            offset: 0,
        }
    }
    /// Appends LIMIT/OFFSET, fetching one extra row to know whether a next page exists.
    pub fn apply(&self, q: &mut Query) {
        q.push(" LIMIT ")
            .bind(Bind::I64(self.limit + 1))
            .push(" OFFSET ")
            .bind(Bind::I64(self.offset));
    }
    /// Trims the extra row and returns the next page's offset, if any.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> (Vec<T>, Option<i64>) {
        if rows.len() as i64 > self.limit {
            rows.truncate(self.limit as usize);
            (rows, Some(self.offset + self.limit))
        } else {
            (rows, None)
        }
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (used with `ESCAPE '\'`).
pub fn like_pattern(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    s.push('%');
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// Marks SQL text as trusted: only for text assembled from this crate's constants and
/// `$n` placeholders, never from input (input is always bound).
pub(crate) fn trusted(sql: &str) -> sqlx::AssertSqlSafe<&str> {
    sqlx::AssertSqlSafe(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_placeholders() {
        let mut q = Query::new("SELECT 1 WHERE a = ");
        q.bind(Bind::I64(1))
            .push(" AND b IN ")
            .bind_list(&[Uuid::nil(), Uuid::max()]);
        assert_eq!(q.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
        assert_eq!(like_pattern("50%_x"), "%50\\%\\_x%");
    }
}
