//! A small HTML text builder, for the parts of pages that are re-drawn as a whole whenever
//! their data changes (the task page's sections, table cells, the instance list).
//!
//! Why: every `view!` element type instantiates Leptos's rendering code once per distinct type,
//! and the dashboard's budget (250 KB gzip for everything) does not allow that for every cell
//! and list. Text built here is set with `inner_html` on a stable element that Leptos owns, so
//! focus on the elements Leptos renders (links, buttons) is never lost.
//!
//! Safety: every text and attribute value goes through [`escape`]; tag and attribute names are
//! always literals in the code. No `style` attribute is ever written (the CSP forbids them).
//! Links are ordinary `<a href>` under the base path, which `nav.rs` handles like any other.

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// HTML text under construction.
#[derive(Default, Debug)]
pub struct Html(String);

impl Html {
    /// Empty.
    pub fn new() -> Html {
        Html(String::with_capacity(256))
    }

    /// `<tag a="v" ...>`; attributes with an empty name are skipped (for optional ones).
    pub fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            if name.is_empty() {
                continue;
            }
            self.0.push(' ');
            self.0.push_str(name);
            self.0.push_str("=\"");
            self.0.push_str(&escape(value));
            self.0.push('"');
        }
        self.0.push('>');
        self
    }

    /// `</tag>`.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// Escaped text.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.0.push_str(&escape(s));
        self
    }

    /// `<tag attrs>text</tag>`.
    pub fn el(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// Appends already built HTML.
    pub fn raw(&mut self, html: &str) -> &mut Self {
        self.0.push_str(html);
        self
    }

    /// The text.
    pub fn finish(self) -> String {
        self.0
    }
}

/// An optional attribute: `(name, value)` when present, skipped when `None`.
pub fn opt<'a>(name: &'a str, value: Option<&'a str>) -> (&'a str, &'a str) {
    match value {
        Some(v) => (name, v),
        None => ("", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_escapes() {
        let mut h = Html::new();
        h.open("p", &[("class", "a\"b"), opt("title", None), opt("id", Some("x"))])
            .text("<script>&'")
            .close("p")
            .el("code", &[], "1 < 2");
        assert_eq!(
            h.finish(),
            "<p class=\"a&quot;b\" id=\"x\">&lt;script&gt;&amp;&#39;</p><code>1 &lt; 2</code>"
        );
    }
}
