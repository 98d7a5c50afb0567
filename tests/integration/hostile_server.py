#!/usr/bin/env python3
"""A server that misbehaves below HTTP, where libmicrohttpd (the stage) cannot:
it writes the raw bytes itself, so it can trickle headers or cut a
connection with a TCP reset in the middle of them.

    python3 hostile_server.py

Listens on two free loopback ports and prints one line, then serves until
killed:

    http://127.0.0.1:P1 127.0.0.1:P2

P1 answers by path (the request is read up to its blank line first):
    /trickle-headers?ms=N  the status line, then one byte of a header every
                           N ms (default 100), never ending
    /reset-headers         half the headers, then a TCP reset
    /reset-body            headers promising 1000 bytes, 25 of them, then a
                           TCP reset
    /redirect-file         302 to file:///etc/passwd
    /redirect-dead         302 to http://127.0.0.1:P3/gone, where P3 is a port
                           this server holds bound but never listens on: a
                           connection to it is refused, and no other
                           program can take it meanwhile
    /endless-headers       the status line, then short headers as fast as
                           the client reads, never ending
    /not-http              an SSH banner instead of an HTTP answer
    /flaky-keepalive?every=N  200, keeping the connection open; of the
                           requests for it that arrive on an already-used
                           connection, every N-th (default 10) is read and
                           answered with a TCP reset: a keep-alive connection
                           that died under a request, which libcurl sends again
    /redirect-chain?n=N    302 to n=N-1, keeping the connection open; n=0 is 200
    /count                 what it served, as JSON: "flaky" and "redirect"
                           (requests read for each path), "dropped" (resets)
    anything else          404
P2 accepts connections and never sends a byte: a TLS handshake (or an HTTP
answer) that never comes.
"""
import json
import socket
import struct
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit


def reset(conn):
    """Close with RST instead of FIN: SO_LINGER on, timeout 0."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    line = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
    return urlsplit(line[1]) if len(line) >= 2 else None


# The keep-alive paths' counts, as a server log would have them.
counts = {"flaky": 0, "redirect": 0, "dropped": 0, "reused": 0}
counts_lock = threading.Lock()
# The port /redirect-dead sends clients to: bound, never listened on.
dead_port = 0


def keep_alive(conn, path, query, reused):
    """Answers one request of a keep-alive path; False when the connection
    was dropped instead."""
    if path == "/flaky-keepalive":
        every = int(query.get("every", ["10"])[0])
        with counts_lock:
            counts["flaky"] += 1
            drop = False
            if reused:
                counts["reused"] += 1
                drop = counts["reused"] % every == 0
                counts["dropped"] += drop
        if drop:
            reset(conn)
            return False
        body = b"still here\n"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        return True
    n = int(query.get("n", ["3"])[0])
    with counts_lock:
        counts["redirect"] += 1
    if n > 0:
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /redirect-chain?n=%d\r\n"
                     b"Content-Length: 0\r\n\r\n" % (n - 1))
    else:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: 8\r\n\r\narrived\n")
    return True


def serve(conn):
    try:
        target = read_request(conn)
        reused = False
        while target is not None and target.path in ("/flaky-keepalive", "/redirect-chain"):
            if not keep_alive(conn, target.path, parse_qs(target.query), reused):
                return
            target, reused = read_request(conn), True
        if target is None:
            conn.close()
            return
        path, query = target.path, parse_qs(target.query)
        if path == "/count":
            with counts_lock:
                body = json.dumps(counts).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                         % (len(body), body))
            conn.close()
        elif path == "/trickle-headers":
            ms = int(query.get("ms", ["100"])[0])
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while True:  # until the client hangs up and the send fails
                time.sleep(ms / 1000)
                conn.sendall(b"a")
        elif path == "/reset-headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/pl")
            reset(conn)
        elif path == "/reset-body":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: 1000\r\n\r\nthe kitchen door slams sh")
            reset(conn)
        elif path == "/endless-headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            block = b"X-Again: and again\r\n" * 4096
            while True:  # until the client hangs up and the send fails
                conn.sendall(block)
        elif path == "/not-http":
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
            conn.close()
        elif path == "/redirect-dead":
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:%d/gone\r\n"
                         b"Content-Length: 0\r\nConnection: close\r\n\r\n" % dead_port)
            conn.close()
        elif path == "/redirect-file":
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\n"
                         b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            conn.close()
        else:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: 10\r\nConnection: close\r\n\r\nnot found\n")
            conn.close()
    except OSError:
        conn.close()


def hold(conn):
    """Never answer; keep the connection open until the client leaves."""
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass
    conn.close()


def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    return s


def accept_loop(sock, handler):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def main():
    global dead_port
    http, silent = listen(), listen()
    dead = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    threading.Thread(target=accept_loop, args=(silent, hold), daemon=True).start()
    print(f"http://127.0.0.1:{http.getsockname()[1]} 127.0.0.1:{silent.getsockname()[1]}",
          flush=True)
    accept_loop(http, serve)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
