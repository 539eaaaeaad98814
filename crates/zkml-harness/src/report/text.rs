//! Small wordings every section of the report shares: machine names, row counts, anchors.

/// A machine of the report, by its place among the records' hosts: `H1`, `H2`, ...
pub fn host_id(i: usize) -> String {
    format!("H{}", i + 1)
}

/// A row count for people: `1,150`.
pub fn thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The HTML anchor of a model's results table (the verdict links its numbers there).
pub fn results_anchor(model: &str) -> String {
    format!("results-{model}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(100), "100");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(39_000), "39,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
