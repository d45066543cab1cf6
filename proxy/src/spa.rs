//! Serves the built app (Trunk's `dist/`): hashed assets precompressed and immutable, `index.html`
//! for HTML navigations, rewritten once at start-up for the base path, with a CSP that carries the
//! hash of the (rewritten) inline boot script.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::AppState;
use crate::error::ProxyError;

/// The prefix Trunk writes into index.html (`public_url` in Trunk.toml).
pub use migration_model::contract::BASE_PLACEHOLDER;

pub struct Spa {
    dist: PathBuf,
    index_html: bytes::Bytes,
    csp: HeaderValue,
}

impl Spa {
    /// Loads and rewrites `dist/index.html`. `base_path` is already validated ("" or "/a/b").
    pub fn load(dist: &Path, base_path: &str, frame_ancestors: &str) -> anyhow::Result<Spa> {
        let index_path = dist.join("index.html");
        let raw = std::fs::read_to_string(&index_path).map_err(|e| {
            anyhow::anyhow!("cannot read {}: {e} (build the app first: make run)", index_path.display())
        })?;
        let html = raw.replace(BASE_PLACEHOLDER, base_path);
        let hashes: Vec<String> = inline_scripts(&html)
            .iter()
            .map(|s| {
                format!(
                    "'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
                )
            })
            .collect();
        let csp = content_security_policy(&hashes, frame_ancestors);
        let csp = HeaderValue::from_str(&csp)
            .map_err(|_| anyhow::anyhow!("--frame-ancestors holds characters not allowed in a header"))?;
        Ok(Spa { dist: dist.to_path_buf(), index_html: bytes::Bytes::from(html), csp })
    }

    /// The Content-Security-Policy every response carries (the layer in `app()` sets it).
    pub fn csp(&self) -> HeaderValue {
        self.csp.clone()
    }

    pub fn index_html(&self) -> &[u8] {
        &self.index_html
    }

    fn index_response(&self, method: &Method) -> Response {
        let body = if method == Method::HEAD { Body::empty() } else { Body::from(self.index_html.clone()) };
        let mut resp = Response::new(body);
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        resp
    }
}

/// Every allowance is needed by the app: the boot script's hash (Trunk inlines it), and
/// 'wasm-unsafe-eval' to compile the WebAssembly module. Nothing else runs inline.
pub fn content_security_policy(script_hashes: &[String], frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {}",
        script_hashes.join(" "),
        frame_ancestors.trim()
    )
}

/// The contents of inline `<script>` elements (those without `src`).
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else { break };
        let tag = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else { break };
        if !tag.contains(" src=") {
            out.push(&body_start[..close]);
        }
        rest = &body_start[close + "</script>".len()..];
    }
    out
}

/// Trunk names hashed assets `name-<16 hex>.ext`; those never change and may be cached forever.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    // wasm-bindgen's module is `name-<hash>_bg.wasm`.
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| (12..=20).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Fallback for everything under the base path that is not the API.
pub async fn serve_app(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        return crate::error::error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "Proxy.MethodNotAllowed",
            "Only GET and HEAD are served here.",
        );
    }
    let Some(spa) = &state.spa else {
        return crate::error::error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "Proxy.AppNotBuilt",
            "The dashboard is not built; run `make run`, or call the API under /api/.",
        );
    };
    let path = request.uri().path().to_string();
    if path == "/" || path.is_empty() || path == "/index.html" {
        return spa.index_response(&method);
    }
    // Dotfiles (`.env`, `.git/`, `.well-known` left by a build) are never served, however the
    // dot is written.
    let decoded = percent_encoding::percent_decode_str(&path).decode_utf8_lossy().to_string();
    if decoded.split(['/', '\\']).any(|seg| seg.starts_with('.')) {
        return ProxyError::NotFound("No such file in the app.".into()).into_response();
    }
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));

    let serve_dir = ServeDir::new(&spa.dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    let mut response = match serve_dir.oneshot(request).await {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        // Deep links (/regions/...) are app routes: browsers navigating get the app.
        if wants_html {
            return spa.index_response(&method);
        }
        return ProxyError::NotFound(format!("No file {path:?} in the app.")).into_response();
    }
    if response.status().is_success() {
        let cache = if is_hashed_asset(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    response
}

/// Headers every response carries.
pub fn security_headers_layer(
) -> tower::layer::util::Stack<SetResponseHeaderLayer<HeaderValue>, SetResponseHeaderLayer<HeaderValue>> {
    tower::layer::util::Stack::new(
        SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_only() {
        let html = r#"<head><script src="/a.js"></script><script type="module">boot()</script></head><body><script>x</script></body>"#;
        assert_eq!(inline_scripts(html), vec!["boot()", "x"]);
    }

    #[test]
    fn hashed_assets_are_recognised() {
        assert!(is_hashed_asset("/migration-dashboard-3f2a1b4c5d6e7f80_bg.wasm"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        assert!(is_hashed_asset("/migration-dashboard-0123456789abcdef.js"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/main.css"));
    }

    #[test]
    fn csp_carries_hashes_and_frame_ancestors() {
        let csp = content_security_policy(&["'sha256-abc'".into()], "https://portal.example.com");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"));
        assert!(csp.ends_with("frame-ancestors https://portal.example.com"));
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn index_is_rewritten_for_the_base_path() {
        let dir = std::env::temp_dir().join(format!("spa-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            r#"<meta name="migration-base" content="/__MIGRATION_BASE__"><script type="module">import init from '/__MIGRATION_BASE__/app-0123456789abcdef.js';</script>"#,
        )
        .unwrap();
        let spa = Spa::load(&dir, "/migrations", "'self'").unwrap();
        let html = String::from_utf8(spa.index_html().to_vec()).unwrap();
        assert!(html.contains(r#"content="/migrations""#));
        assert!(html.contains("'/migrations/app-0123456789abcdef.js'"));
        assert!(!html.contains("__MIGRATION_BASE__"));
        let script = "import init from '/migrations/app-0123456789abcdef.js';";
        let want = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
        assert!(spa.csp.to_str().unwrap().contains(&want));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
