//! Search folding: the text a `q` search compares, with case and the
//! difference between traditional and simplified Chinese folded away.

/// Folds text for search: traditional Chinese becomes simplified and letters
/// become lower case, so `產教融合` and `产教融合`, `ABC` and `abc` compare equal.
pub fn fold(text: &str) -> String {
    fast2s::convert(text).to_lowercase()
}

/// The stored search column of a record: the folded searchable fields,
/// separated by a control character no query can contain, so that a match
/// never spans two fields.
pub fn search_text<'a>(fields: impl IntoIterator<Item = Option<&'a str>>) -> String {
    fields
        .into_iter()
        .flatten()
        .map(fold)
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// A `LIKE` pattern that matches `folded` as a substring, with `%`, `_` and
/// the escape character `\` taken literally (use with `ESCAPE '\'`).
pub fn like_pattern(folded: &str) -> String {
    let mut pattern = String::with_capacity(folded.len() + 2);
    pattern.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A `GLOB` pattern that matches `folded` as a substring, with `*`, `?` and
/// `[` taken literally. SQLite's FTS5 trigram index serves `GLOB` (not
/// `LIKE … ESCAPE`), and the folded text needs no case folding.
pub fn glob_pattern(folded: &str) -> String {
    let mut pattern = String::with_capacity(folded.len() + 2);
    pattern.push('*');
    for c in folded.chars() {
        match c {
            '*' => pattern.push_str("[*]"),
            '?' => pattern.push_str("[?]"),
            '[' => pattern.push_str("[[]"),
            _ => pattern.push(c),
        }
    }
    pattern.push('*');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migration_that_folded_stored_majors_folds_as_searches_do() {
        for text in ["焊接技术應用", "數控技術 CNC", "新媒体營銷", "Ab_%", ""] {
            assert_eq!(migration::fold(text), fold(text), "{text}");
        }
    }

    #[test]
    fn traditional_and_simplified_chinese_fold_to_the_same_text() {
        assert_eq!(fold("產教融合發展聯盟"), "产教融合发展联盟");
        assert_eq!(fold("产教融合发展联盟"), "产教融合发展联盟");
    }

    #[test]
    fn case_is_folded() {
        assert_eq!(fold("Huajian TECH"), "huajian tech");
    }

    #[test]
    fn search_text_joins_present_fields_with_a_separator() {
        assert_eq!(search_text([Some("華鋁"), None, Some("HL")]), "华铝\u{1f}hl");
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn glob_patterns_take_wildcards_literally() {
        assert_eq!(glob_pattern("a*b?[c]%_"), "*a[*]b[?][[]c]%_*");
    }
}
