"""One HTTP server for every stand-in source: ``python -m ckanext.stinfo.harvesters.standins.server``.

A stand-in module exposes ``PREFIX`` (e.g. ``/st-platform``) and ``handle(path, query)``
returning ``(status, content_type, body)``; ``path`` is relative to the prefix and ``query``
maps each parameter to its last value.
"""
from __future__ import annotations

import argparse
import importlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MODULES = ("st_platform", "oai_pmh", "registry", "ip_office", "standards", "enterprises", "radiation",
           "provincial_ckan", "dcat_catalogue")


def _routes() -> dict[str, object]:
    routes = {}
    for name in MODULES:
        try:
            module = importlib.import_module(f"ckanext.stinfo.harvesters.standins.{name}")
        except ModuleNotFoundError:
            continue
        routes[module.PREFIX] = module
    return routes


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, object] = {}

    def do_GET(self):  # noqa: N802 (http.server naming)
        parts = urlsplit(self.path)
        for prefix, module in self.routes.items():
            if parts.path == prefix or parts.path.startswith(prefix + "/"):
                status, content_type, body = module.handle(parts.path[len(prefix):] or "/",
                                                           dict(parse_qsl(parts.query)))
                break
        else:
            status, content_type, body = 404, "text/plain", b"not found"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        """Quiet: the harvest logs tell what happened."""


def serve(port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Start the stand-ins in a daemon thread; the bound port is ``server.server_port``."""
    handler = type("Handler", (_Handler,), {"routes": _routes()})
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8800)
    args = parser.parse_args()
    server = serve(args.port)
    print(f"Stand-in sources on http://127.0.0.1:{server.server_port}: {', '.join(server.RequestHandlerClass.routes)}")
    threading.Event().wait()


if __name__ == "__main__":
    main()
