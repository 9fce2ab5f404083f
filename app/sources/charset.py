"""Bytes → text for every input: files, fetched pages and feeds.

``decode`` reads bytes with no declaration (a file); ``decode_declared`` weighs what the source says
(an HTTP header, a ``<meta charset>``, an XML declaration) against the bytes, because servers and
e-paper templates often declare one charset and send another.
"""

from __future__ import annotations

import codecs
import re

from zhaiyao.errors import InputError

# Signatures of common binary formats that contain no NUL in their first bytes.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\xff\xd8\xff",
    b"GIF8",
    b"BZh",
    b"\x7fELF",
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Detector candidates: the encodings Chinese news dumps come in. Restricting the detector keeps it from
# "succeeding" with a Western code page on bytes that are really garbage.
_CANDIDATES = ["utf_8", "gb18030", "big5"]
_ENCODING_NAMES = {"utf_8": "utf-8", "gb18030": "gb18030", "big5": "big5"}

_UTF8_LEADS = bytes(range(0xC0, 0x100))


def decode(name: str, data: bytes) -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding used). Raises InputError for binary or garbage bytes."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(name, f"undecodable bytes at offset {exc.start} (UTF-16)") from exc
    head = data[:8192]
    if b"\x00" in head and not data.startswith(_BINARY_MAGIC):
        # NULs are what UTF-16 without a byte-order mark looks like (Windows tools write it): text if
        # it decodes whole to printable characters, which random binary bytes never do.
        for encoding in ("utf-16-le", "utf-16-be"):
            text = _utf16_text(data, encoding)
            if text is not None:
                return text, encoding
    if b"\x00" in head or data.startswith(_BINARY_MAGIC):
        raise InputError(name, "binary file, not text")
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Text that is valid UTF-8 for a good stretch and then breaks is corrupt UTF-8, not another
    # encoding: say where it breaks instead of guessing a legacy code page that happens to fit.
    valid = data[: utf8_error.start]
    if len(valid) - len(valid.translate(None, _UTF8_LEADS)) >= 8:
        line = valid.count(b"\n") + 1
        raise InputError(name, f"undecodable bytes at offset {utf8_error.start}: invalid UTF-8", line)
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None or best.encoding not in _ENCODING_NAMES or best.chaos > 0.3:
        raise InputError(
            name,
            f"undecodable bytes at offset {utf8_error.start}: not UTF-8, GB18030 or Big5",
            valid.count(b"\n") + 1,
        )
    encoding = _ENCODING_NAMES[best.encoding]
    return data.decode(encoding), encoding


def _utf16_text(data: bytes, encoding: str) -> str | None:
    if len(data) % 2:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if any(not (ch.isprintable() or ch in "\t\n\r\u3000") for ch in text):
        return None
    # Chinese news is CJK, its punctuation and ASCII; random code units are rarely any of those.
    usual = sum(ch < "\x7f" or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)
    return text if usual >= 0.9 * len(text) else None


# gb2312 and gbk pages routinely hold characters only their superset has; read them as GB18030.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252"}
_SINGLE_BYTE = ("cp125", "iso8859", "latin", "mac-", "koi8")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})["']""")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", re.I)


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset the source declares: the Content-Type header first, then an XML declaration or a
    ``<meta charset>`` in the first bytes; None when nothing is declared or the name is unknown."""
    names = []
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            names.append(m.group(1))
    head = data[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        m = pattern.search(head)
        if m:
            names.append(m.group(1).decode("ascii"))
    for name in names:
        try:
            canonical = codecs.lookup(name).name
        except LookupError:
            continue
        return _SUPERSETS.get(canonical, canonical)
    return None


def decode_declared(name: str, data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode fetched bytes, trusting the bytes over a declaration that does not fit them.

    Valid UTF-8 with non-ASCII text is UTF-8 whatever is declared (GBK or Big5 text is almost never
    valid UTF-8, while a page declared ``gb2312`` or ``iso-8859-1`` and sent as UTF-8 is common); else
    the declared charset if the bytes decode under it; else the detector of ``decode``.
    """
    if data.startswith((b"\xef\xbb\xbf", *_UTF16_BOMS)) or b"\x00" in data[:8192]:
        return decode(name, data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data, content_type)
    if declared and declared not in ("utf-8", "ascii") and not declared.startswith(_SINGLE_BYTE):
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return decode(name, data)
    except InputError:
        # A Western single-byte declaration decodes anything, so it is only the last resort.
        if declared and declared.startswith(_SINGLE_BYTE):
            return data.decode(declared, errors="replace"), declared
        raise
