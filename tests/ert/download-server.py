"""An HTTP server for vterm-download-tests.el, on 127.0.0.1.

Usage: download-server.py DIR

Prints the port it listens on (chosen by the system) as its first line,
then serves until killed.  The first path component says how it answers
for a file of DIR named by the second:
  /ok/NAME        the file;
  /tampered/NAME  the file with its last byte changed;
  /partial/NAME   the file's length in Content-Length, half the file,
                  then the connection closed;
  /stall/NAME     the headers, then nothing, connection kept open;
anything else, and any file DIR does not hold: 404.
"""
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        parts = self.path.strip("/").split("/")
        path = os.path.join(ROOT, parts[-1]) if len(parts) == 2 else None
        if parts[0] not in ("ok", "tampered", "partial", "stall") or \
                path is None or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            body = f.read()
        if parts[0] == "tampered":
            body = body[:-1] + bytes([body[-1] ^ 0xFF])
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if parts[0] == "stall":
            self.wfile.flush()
            time.sleep(3600)
        elif parts[0] == "partial":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
