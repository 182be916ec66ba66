"""What a file is, judged from its bytes alone (never its name or the type the browser sent).

Allowed: PDF, OFD (the Chinese fixed-layout format: a zip holding OFD.xml), JPEG, PNG and XML e-invoices. Each is
checked from its first byte and, where the format allows it cheaply, through its structure (the PNG chunks with
their CRCs, the JPEG segments up to the image data, the zip's directory and every entry's CRC, the XML parsed with
no DTD and no entities at all). Anything else is refused with a Chinese message naming the file: HTML or SVG given
a PDF or PNG name, a file that starts as one thing and turns into another (a polyglot), an XML file declaring
entities (billion laughs, external entities), a zip bomb, an empty file, a file over the size limit.
"""

import io
import re
import struct
import zipfile
import zlib
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..models import AttachmentType

MB = 1024 * 1024
EXTENSIONS = {AttachmentType.PDF: "pdf", AttachmentType.OFD: "ofd", AttachmentType.JPEG: "jpg",
              AttachmentType.PNG: "png", AttachmentType.XML: "xml"}

# Markup a browser would run or render: refused in the head of every binary format, whatever follows.
_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|a\s|img\s)",
                     re.IGNORECASE)
_HEAD = 1024
# OFD bounds: a real invoice is a few hundred KB in a few dozen entries.
OFD_MAX_ENTRIES = 2000
OFD_MAX_UNCOMPRESSED = 200 * MB
OFD_MAX_RATIO = 100  # per entry of 1 MB or more, as for spreadsheets (gonghui/core/tabular_guard.py)
OFD_RATIO_FLOOR = MB
OFD_MAIN_MAX = 2 * MB  # OFD.xml itself is a short index of the documents
XML_NAMESPACES_REFUSED = ("http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg",
                          "http://www.w3.org/1999/XSL/Transform")
XML_ROOTS_REFUSED = {"html", "svg", "stylesheet", "transform"}


class AttachmentRefused(ValidationError):
    """The file cannot be attached; the message names it."""


def max_bytes() -> int:
    return int(getattr(settings, "GONGHUI_ATTACHMENT_MAX_BYTES", 20 * MB))


def refused(name: str, reason: str) -> AttachmentRefused:
    return AttachmentRefused(_("“%(name)s” was refused: %(reason)s") % {"name": name, "reason": reason},
                             code="refused")


def not_allowed(name: str) -> AttachmentRefused:
    return refused(name, _("its content is not a PDF, OFD, JPEG, PNG or XML e-invoice file (the file name does "
                           "not decide the type; a web page or script renamed .pdf or .png is refused)."))


def damaged(name: str, kind: str) -> AttachmentRefused:
    return refused(name, _("it starts like a %(kind)s file but its content is damaged or mixed with another kind "
                           "of file. Save or export it again and upload the new file.") % {"kind": kind})


def size_check(name: str, size: int) -> None:
    """Refuse an empty file or one over the limit, before reading it."""
    if size <= 0:
        raise refused(name, _("the file is empty."))
    limit = max_bytes()
    if size > limit:
        raise refused(name, _("the file is larger than %(limit)s.") % {"limit": filesizeformat(limit)})


def detect(name: str, data: bytes) -> str:
    """The AttachmentType of ``data``, or AttachmentRefused naming ``name``."""
    size_check(name, len(data))
    if data.startswith(b"%PDF-"):
        _check_pdf(name, data)
        return AttachmentType.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png(name, data)
        return AttachmentType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        _check_jpeg(name, data)
        return AttachmentType.JPEG
    if data.startswith(b"PK\x03\x04"):
        _check_ofd(name, data)
        return AttachmentType.OFD
    if _looks_like_xml(data):
        _check_xml(name, data)
        return AttachmentType.XML
    raise not_allowed(name)


def _no_markup_in_head(name: str, data: bytes, kind: str) -> None:
    if _MARKUP.search(data[:_HEAD]):
        raise damaged(name, kind)


def _check_pdf(name: str, data: bytes) -> None:
    _no_markup_in_head(name, data, "PDF")
    if not re.match(rb"%PDF-\d\.\d", data) or b"%%EOF" not in data[-8192:]:
        raise damaged(name, "PDF")


def _check_png(name: str, data: bytes) -> None:
    """Walk the chunks: each length in bounds and its CRC right, IHDR first, IEND last and nothing after it."""
    pos, first = 8, True
    while True:
        if pos + 12 > len(data):
            raise damaged(name, "PNG")
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data) or (first and ctype != b"IHDR") or not ctype.isalpha():
            raise damaged(name, "PNG")
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:end])
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != crc:
            raise damaged(name, "PNG")
        if first:
            width, height = struct.unpack(">II", body[:8])
            if not (0 < width <= 30_000 and 0 < height <= 30_000):
                raise damaged(name, "PNG")
        first = False
        pos = end
        if ctype == b"IEND":
            break
    if pos != len(data):
        raise damaged(name, "PNG")  # bytes after the image's end: another file riding on it


def _check_jpeg(name: str, data: bytes) -> None:
    """Walk the segments from SOI to the start of the image data; an EOI follows the scan."""
    _no_markup_in_head(name, data, "JPEG")
    pos = 2
    while True:
        while pos < len(data) and data[pos] == 0xFF and pos + 1 < len(data) and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes
        if pos + 4 > len(data) or data[pos] != 0xFF:
            raise damaged(name, "JPEG")
        marker = data[pos + 1]
        if marker in (0xD8, 0xD9) or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            raise damaged(name, "JPEG")  # no standalone marker belongs before the image data
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            raise damaged(name, "JPEG")
        pos += 2 + length
        if marker == 0xDA:  # start of scan: the compressed data follows
            break
    end = data.rfind(b"\xff\xd9")
    if end < pos:
        raise damaged(name, "JPEG")  # no end of image after the scan: cut short
    # Some phones append their own data after the image's end (kept); a web page riding there is not.
    if _MARKUP.search(data[end + 2:end + 2 + _HEAD]):
        raise damaged(name, "JPEG")


def _check_ofd(name: str, data: bytes) -> None:
    """A zip whose directory announces no bomb, every entry readable with its CRC right, and an OFD.xml at its root
    whose root element is ofd:OFD."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > OFD_MAX_ENTRIES:
                raise refused(name, _("the OFD file holds too many parts (a compressed \"bomb\" or a damaged "
                                      "file)."))
            total = 0
            for info in infos:
                total += info.file_size
                if info.file_size >= OFD_RATIO_FLOOR and info.file_size > OFD_MAX_RATIO * max(info.compress_size, 1):
                    raise refused(name, _("its content expands to far more than its size (a compressed \"bomb\")."))
            if total > OFD_MAX_UNCOMPRESSED:
                raise refused(name, _("its content expands to far more than its size (a compressed \"bomb\")."))
            main = next((i for i in infos if i.filename.lstrip("/") == "OFD.xml"), None)
            if main is None:
                raise not_allowed(name)  # a zip, but not an OFD (a docx, an xlsx, a plain archive)
            if main.file_size > OFD_MAIN_MAX:
                raise damaged(name, "OFD")
            for info in infos:  # zipfile stops at the declared size and checks the CRC: a lying entry fails
                with z.open(info) as f:
                    while f.read(MB):
                        pass
            root = _parse_xml(z.read(main), name, "OFD")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            OSError, ValueError):
        raise damaged(name, "OFD") from None
    if root.rpartition("}")[2].rpartition(":")[2] != "OFD":
        raise damaged(name, "OFD")


def _looks_like_xml(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<?xml") or (head.startswith(b"<") and head[1:2].isalpha())


def _check_xml(name: str, data: bytes) -> None:
    root = _parse_xml(data, name, "XML")
    ns, _sep, local = root.rpartition("}")
    if local.lower().rpartition(":")[2] in XML_ROOTS_REFUSED or ns.lstrip("{") in XML_NAMESPACES_REFUSED:
        raise not_allowed(name)


class _Refuse(Exception):
    pass


def _parse_xml(data: bytes, name: str, kind: str) -> str:
    """Parse with expat, refusing any DTD, entity declaration, external reference or a browser's namespace; the
    root element's name ("{namespace}local")."""
    parser = expat.ParserCreate(namespace_separator="}")
    roots: list[str] = []

    def refuse(*_args):
        raise _Refuse

    def start(tag, _attrs):
        ns = tag.rpartition("}")[0]
        if ns in XML_NAMESPACES_REFUSED:
            raise _Refuse
        if not roots:
            roots.append("{" + tag if "}" in tag else tag)

    def instruction(target, _data):
        if target.lower() == "xml-stylesheet":
            raise _Refuse

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.NotationDeclHandler = refuse
    parser.StartElementHandler = start
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except _Refuse:
        raise refused(name, _("the %(kind)s file declares a document type or entities, or holds a web page; an "
                              "e-invoice has none of them.") % {"kind": kind}) from None
    except expat.ExpatError:
        raise damaged(name, kind) from None
    if not roots:
        raise damaged(name, kind)
    return roots[0]
