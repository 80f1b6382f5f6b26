"""Run the platform alone: python -m devplatform [--port 5001] [--data FILE] [--key FILE]."""

from __future__ import annotations

import argparse

from devplatform import create_app


def main() -> None:
    """Parse arguments and serve on localhost."""
    parser = argparse.ArgumentParser(description="Run the devplatform LTI 1.3 platform.")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--tool", default="http://127.0.0.1:5000", help="the tool's base URL")
    parser.add_argument("--data", default="instance/devplatform.json", help="state file")
    parser.add_argument("--key", default="instance/devplatform-key.pem", help="PEM key file")
    parser.add_argument("--moodle", action="store_true", help="Moodle score timestamp rules")
    args = parser.parse_args()
    app = create_app({
        "PLATFORM_ISSUER": f"http://localhost:{args.port}", "TOOL_BASE_URL": args.tool,
        "PLATFORM_DATA_PATH": args.data, "PLATFORM_KEY_PATH": args.key,
        "SCORE_TIMESTAMP_MODE": "moodle" if args.moodle else "canvas",
    })
    app.run(host="localhost", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
