"""A client for clamd's INSTREAM command, the way ClamAV's own clamdscan streams a file: the
command `zINSTREAM\\0`, then chunks each prefixed by its length (4 bytes, big-endian), then a
zero length; clamd answers `stream: OK` or `stream: <signature> FOUND`, NUL-terminated.

It knows nothing of Django: `partnership.uploads` decides what a result means for an upload."""

import socket
import struct
from collections.abc import Iterable

CHUNK_BYTES = 64 * 1024
_MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not give a verdict; the caller must fail closed."""


def instream(address: str, chunks: Iterable[bytes], *, timeout: float) -> str | None:
    """The signature clamd found in the stream, or None when it is clean.

    `address` is a unix socket path or `tcp://host:port`."""
    try:
        with _connect(address, timeout) as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    for start in range(0, len(chunk), CHUNK_BYTES):
                        part = chunk[start : start + CHUNK_BYTES]
                        sock.sendall(struct.pack("!L", len(part)) + part)
                sock.sendall(struct.pack("!L", 0))
            except OSError:
                # clamd stops reading when a stream passes its StreamMaxLength and says why
                # before closing: read that answer rather than report a broken pipe.
                pass
            reply = _read_reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(f"{type(exc).__name__}: {exc}") from exc
    return _verdict(reply)


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        host, _, port = address.removeprefix("tcp://").rpartition(":")
        try:
            return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
        except ValueError as exc:
            raise ScannerUnavailable(f"not a tcp://host:port address: {address}") from exc
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0") and len(data) < _MAX_REPLY:
        part = sock.recv(_MAX_REPLY)
        if not part:
            break
        data += part
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def _verdict(reply: str) -> str | None:
    if reply == "stream: OK":
        return None
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return reply.removeprefix("stream: ").removesuffix(" FOUND").strip() or "unknown"
    raise ScannerUnavailable(f"clamd answered {reply!r}" if reply else "clamd gave no answer")
