"""A real SMTP server for tests, on a loopback port in a thread of its own: it counts what it receives,
can answer slowly, refuse chosen addresses, or be stopped and started again on the same port."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any


@dataclass
class Received:
    to: str
    message: Message

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class SmtpSink:
    delay_seconds: float = 0.0
    """Wait this long before greeting each connection (a slow mail server)."""
    refuse: set[str] = field(default_factory=set)
    """Addresses answered with 550 at RCPT TO."""
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _server: socketserver.ThreadingTCPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> SmtpSink:
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                # A client killed mid-conversation (the kill -9 tests) just ends it.
                with contextlib.suppress(ConnectionError):
                    sink._converse(self.rfile, self.wfile)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def counts(self) -> Counter[str]:
        """How many times each Message-ID arrived."""
        with self._lock:
            return Counter(r.message_id for r in self.received)

    def settings(self, settings: Any) -> Any:
        from dataclasses import replace

        return replace(settings, smtp_host="127.0.0.1", smtp_port=self.port, smtp_starttls=False)

    def _converse(self, rfile: Any, wfile: Any) -> None:
        def say(line: str) -> None:
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        say("220 sink.test ESMTP")
        recipients: list[str] = []
        while True:
            raw = rfile.readline()
            if not raw:
                return
            command = raw.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                say("250 sink.test")
            elif verb == "MAIL":
                recipients = []
                say("250 OK")
            elif verb == "RCPT":
                address = command.partition(":")[2].strip().strip("<>")
                if address in self.refuse:
                    say("550 5.1.1 No such user here")
                else:
                    recipients.append(address)
                    say("250 OK")
            elif verb == "DATA":
                say("354 Go ahead")
                data = b""
                while (line := rfile.readline()) not in (b".\r\n", b""):
                    data += line[1:] if line.startswith(b"..") else line
                with self._lock:
                    message = message_from_bytes(data)
                    self.received.extend(Received(to, message) for to in recipients)
                say(f"250 OK queued as {len(self.received)}")
            elif verb == "QUIT":
                say("221 Bye")
                return
            elif verb == "RSET":
                recipients = []
                say("250 OK")
            else:
                say("502 Not implemented")


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
