"""Checks the proxy's Standard Webhooks deliveries with the specification's reference library.

Reads {"secret": "whsec_...", "requests": [{"headers": {...}, "body": "..."}]} on stdin (written
by proxy/tests/alerts.rs from what its local receiver got), verifies each request with
standardwebhooks.Webhook.verify (signature, and a timestamp within its tolerance), and prints
"verified N". Any failure exits non-zero naming the request's index, never the secret.
"""
import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main() -> int:
    data = json.load(sys.stdin)
    hook = Webhook(data["secret"])
    n = 0
    for i, req in enumerate(data["requests"]):
        try:
            payload = hook.verify(req["body"], req["headers"])
        except WebhookVerificationError as e:
            print(f"request {i}: {e}")
            return 1
        for key in ("type", "timestamp", "data"):
            if key not in payload:
                print(f"request {i}: no {key!r} in the payload")
                return 1
        # A tampered body must fail: the check can fail.
        try:
            hook.verify(req["body"] + " ", req["headers"])
            print(f"request {i}: a tampered body verified")
            return 1
        except WebhookVerificationError:
            pass
        n += 1
    print(f"verified {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
