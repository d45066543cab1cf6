#!/usr/bin/env bash
# The one secret check of a whole `make test` run, its last step: every transcript the run left
# in $MIGRATION_PROXY_TEST_TRANSCRIPTS (set by scripts/test.sh) is scanned for every secret the
# tests use (tests/common/mod.rs, SECRETS): each proxy test binary's answers, log lines and panic
# messages, the API test's proxy logs and its record of every request and answer, and the browser
# test's proxy logs (audit log included) and every /api/* answer the browser received. Every
# integration test binary must have left a transcript, and each file must show real traffic (a
# minimum number of answers, or HAR entries, or audit lines): it cannot pass by scanning nothing. MIGRATION_PROXY_TEST_TRANSCRIPTS_EXPECT overrides the list of expected files
# besides the test binaries' (e.g. when running it after cargo test alone: "").
set -euo pipefail
cd "$(dirname "$0")/.."
: "${MIGRATION_PROXY_TEST_TRANSCRIPTS:?run by scripts/test.sh, which names the directory of the transcripts of the run}"
export MIGRATION_PROXY_TEST_TRANSCRIPTS_EXPECT="${MIGRATION_PROXY_TEST_TRANSCRIPTS_EXPECT-api-test-none.har.json api-test-none-proxy.log api-test-bearer.har.json api-test-bearer-proxy.log e2e-proxy.log e2e-responses.transcript}"
echo "== secret scan of every transcript of this run ($MIGRATION_PROXY_TEST_TRANSCRIPTS)"
out=$(cargo test -q -p migration-proxy --test security -- --ignored --exact suite_wide_secret_scan --nocapture 2>&1) || {
  echo "$out" >&2
  exit 1
}
echo "$out" | grep '^secret scan:' || { echo "$out" >&2; echo "secret-scan: the scan did not run" >&2; exit 1; }
echo "$out" | grep -q '1 passed' || { echo "$out" >&2; echo "secret-scan: the scan did not run" >&2; exit 1; }
