#!/usr/bin/env python3
"""An HTTPS server that asks every client for a certificate signed by a CA,
which the stage (libmicrohttpd) does not do: for techweek's `cert ... key
...` request line (issue 12, capability 11).

    python3 client_cert_server.py CERT KEY CA

Serves with CERT/KEY, requires a client certificate that CA signed, and
prints one line, https://127.0.0.1:PORT, then serves until killed. Every
GET answers 200 with {"client": "<the client certificate's CN>"}; a client
without a certificate fails the handshake.
"""
import http.server
import json
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        subject = dict(x[0] for x in self.connection.getpeercert().get("subject", ()))
        body = json.dumps({"client": subject.get("commonName", "")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    cert, key, ca = sys.argv[1:4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print("https://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
