"""Reading labels back as a scanner would, and a raw TCP printer, for the label tests."""

from __future__ import annotations

import io
import socket
import threading
from pathlib import Path

import zxingcpp
from PIL import Image

from wms_tui.domain.scan import Gs1Data, normalize_scan, parse_gs1


def decode(png: bytes | Path | Image.Image) -> list[tuple[str, str]]:
    """(format, text) of every symbol zxing-cpp finds in a PNG, e.g. ("Code128", "A-01-01-1").

    TextMode.Plain gives a GS1-128 symbol's raw element string, as a scanner sends it: no leading
    FNC1 (zxing-cpp reports it as the symbology identifier ]C1) and GS for every later FNC1.
    """
    if isinstance(png, Path):
        png = png.read_bytes()
    image = png if isinstance(png, Image.Image) else Image.open(io.BytesIO(png))
    found = []
    for symbol in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
        assert symbol.text.isascii(), symbol.text
        found.append((symbol.format.name, symbol.text))
    return found


def gs1_read(scans: list[str]) -> Gs1Data:
    """All fields of several GS1 scans, read as the RF app reads them (normalize + parse)."""
    fields: dict[str, str] = {}
    merged: dict[str, object] = {}
    for raw in scans:
        scan = normalize_scan(raw)
        assert scan.gs1, raw
        data = parse_gs1(scan)
        assert data is not None, raw
        fields.update(data.fields)
        merged.update({k: v for k, v in vars(data).items() if v is not None and k != "fields"})
    return Gs1Data(**merged, fields=fields)  # type: ignore[arg-type]


class FakePrinter:
    """A raw TCP 'printer' on 127.0.0.1 that keeps everything it receives."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            while chunk := connection.recv(65536):
                self.received += chunk

    def close(self) -> bytes:
        self.thread.join(timeout=10)
        self.server.close()
        return self.received


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
