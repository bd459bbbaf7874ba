"""Join the book's segment PDFs: structure tree, folios, links, outline, metadata."""
from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from briefgen._version import __version__
from briefgen.render.book.fonts import unify_fonts

if TYPE_CHECKING:
    from briefgen.render.book.plan import Book
    from briefgen.render.book.segments import Rendered

#: Internal links in a segment point at anchors in other segments. They are written as links under this
#: reserved, never-resolving address (RFC 2606 .invalid) and turned into in-document links after joining;
#: none survives into the book.
DEST_SCHEME = "https://briefgen.invalid/dest/"


def _number_tree(node) -> list:  # noqa: ANN001 - a pikepdf number-tree node
    """Flatten a number tree's /Nums (following /Kids) into [key, value, key, value, ...]."""
    out = list(node.get("/Nums", []))
    for kid in node.get("/Kids", []):
        out += _number_tree(kid)
    return out


def merge_structure(pdf, sources: list, pages: list[int]) -> None:  # noqa: ANN001 - pikepdf objects
    """Join the segments' tagged structure (PDF/UA) under one Document element, renumbering the parent tree."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    nums = Array()
    key_offset = 0
    page_offset = 0
    for source, count in zip(sources, pages):
        tree = source.Root.get("/StructTreeRoot")
        if tree is not None:
            copied = pdf.copy_foreign(tree)
            tops = copied.get("/K", Array())
            for top in tops if isinstance(tops, pikepdf.Array) else [tops]:
                kids = top.get("/K", Array()) if top.get("/S") == Name.Document else [top]
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                    if isinstance(kid, pikepdf.Dictionary):
                        kid.P = document
                        document.K.append(kid)
            flat = _number_tree(copied.get("/ParentTree", Dictionary()))
            highest = -1
            for key, value in zip(flat[::2], flat[1::2]):
                nums.append(int(key) + key_offset)
                nums.append(value)
                highest = max(highest, int(key))
            for page in pdf.pages[page_offset:page_offset + count]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + key_offset
                for annot in page.obj.get("/Annots", []):
                    if "/StructParent" in annot:
                        annot.StructParent = int(annot.StructParent) + key_offset
            key_offset += highest + 1
        page_offset += count
    root.K = Array([document])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = key_offset
    pdf.Root.StructTreeRoot = root


def untag(form) -> None:  # noqa: ANN001 - a pikepdf Stream
    """Drop FORM's marked-content operators: it is drawn inside an /Artifact, where tagged content may not be."""
    import pikepdf

    kept = [item for item in pikepdf.parse_content_stream(form)
            if str(item.operator) not in ("BDC", "BMC", "EMC", "MP", "DP")]
    form.write(pikepdf.unparse_content_stream(kept))
    resources = form.get("/Resources")
    if resources is not None and "/Properties" in resources:
        del resources["/Properties"]


def link_description(book: Book, anchor: str, page: int, index: _EntryIndex | None = None) -> str:
    """A link's alternate description (PDF/UA /Contents): where it goes, in the reader's words. INDEX: the book's
    entries looked up by anchor (made here when not given; the join makes it once for its thousand links)."""
    entries, chapters = index or _entry_index(book)
    entry = entries.get(anchor)
    if entry is not None:
        return f"{entry.title}, page {page}"
    head, _, number = anchor.rpartition("-")
    if anchor.startswith("note-") and number.isdigit() and head[5:] in chapters:
        return f"Note {number} of chapter {chapters[head[5:]].label} in the Notes, page {page}"
    chapter, _, ref = anchor.partition("--ref-")
    if ref.isdigit() and chapter in chapters:
        return f"Back to note {ref} in chapter {chapters[chapter].label}, {chapters[chapter].title}, page {page}"
    return f"Page {page}"


#: The book's contents entries by anchor (the first of a repeated anchor), and its numbered chapters by anchor.
_EntryIndex = tuple[dict[str, Any], dict[str, Any]]


def _entry_index(book: Book) -> _EntryIndex:
    entries: dict[str, Any] = {}
    for entry in book.entries:
        entries.setdefault(entry.anchor, entry)
    return entries, {entry.anchor: entry for entry in book.entries if entry.level == 2 and entry.label.isdigit()}


def nest_link_annotations(pdf) -> None:  # noqa: ANN001 - a pikepdf Pdf
    """Give every link annotation a Link structure element (PDF/UA 7.18.5).

    WeasyPrint also annotates the inline pieces inside a link (a label span, a text span) and files those
    annotations under the piece's own Span element; each is moved to the Link element enclosing it.
    """
    import pikepdf
    from pikepdf import Array, Name

    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None or "/ParentTree" not in tree:
        return
    nums = tree.ParentTree.Nums
    where = {int(nums[i]): i + 1 for i in range(0, len(nums) - 1, 2)}
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != Name.Link or "/StructParent" not in annot:
                continue
            position = where.get(int(annot.StructParent))
            if position is None:
                continue
            element = nums[position]
            if not isinstance(element, pikepdf.Dictionary) or element.get("/S") == Name.Link:
                continue
            link = element.get("/P")
            while isinstance(link, pikepdf.Dictionary) and link.get("/Type") == Name.StructElem \
                    and link.get("/S") != Name.Link:
                link = link.get("/P")
            if not isinstance(link, pikepdf.Dictionary) or link.get("/S") != Name.Link:
                continue
            kids = element.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else Array([kids] if kids is not None else [])
            moved = [k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == Name.OBJR
                     and k.get("/Obj") is not None and k.Obj.objgen == annot.objgen]
            if not moved:
                continue
            element.K = Array([k for k in kids if not (isinstance(k, pikepdf.Dictionary)
                                                       and k.get("/Type") == Name.OBJR
                                                       and k.Obj.objgen == annot.objgen)])
            link_kids = link.get("/K")
            link.K = link_kids if isinstance(link_kids, pikepdf.Array) else \
                Array([link_kids] if link_kids is not None else [])
            link.K.append(moved[0])
            nums[position] = link


def merge_book(book: Book, parts: list[Rendered], folios: Rendered, starts: dict[str, int]) -> bytes:
    """Join the segment PDFs, stamp page numbers, resolve cross-segment links, add outline and metadata."""
    import pikepdf

    pdf = pikepdf.new()
    sources = []  # pikepdf copies lazily: every source stays open until the book is saved
    anchors: dict[str, tuple[int, float, float]] = {}
    offset = 0
    for part in parts:
        for name, (index, left, top) in part.anchors.items():
            anchors.setdefault(name, (offset + index, left, top))
        source = pikepdf.open(io.BytesIO(part.data))
        sources.append(source)
        pdf.pages.extend(source.pages)
        offset += part.pages
    merge_structure(pdf, sources, [part.pages for part in parts])
    sources.append(_stamp_folios(pdf, folios))
    _resolve_links(pdf, book, anchors)
    nest_link_annotations(pdf)
    _write_outline(pdf, book, starts)
    _set_metadata(pdf, book, sources[0])
    unify_fonts(pdf, book.project.root)  # one embedded subset per face, not one per segment
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()
    return buf.getvalue()


def _stamp_folios(pdf, folios: Rendered):  # noqa: ANN001, ANN202 - pikepdf objects
    """Draw each folio page over the page it numbers (the cover has none), as an artifact; return the folio PDF."""
    import pikepdf
    from pikepdf import Name

    folio_pdf = pikepdf.open(io.BytesIO(folios.data))
    for i, page in enumerate(pdf.pages):
        if 0 < i < len(folio_pdf.pages):
            form = folio_pdf.pages[i].as_form_xobject()
            untag(form)
            form = pdf.copy_foreign(form)
            # A fixed name, not pikepdf's random prefix+suffix, so the book's bytes are reproducible.
            xobjects = page.obj.get(Name.Resources, {}).get(Name.XObject, {})
            name = next(Name(f"/Folio{n}") for n in range(len(xobjects) + 1) if Name(f"/Folio{n}") not in xobjects)
            page.add_resource(form, Name.XObject, name)
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(b"\nQ\n/Artifact BMC q " + bytes(str(name), "ascii") + b" Do Q EMC\n")
    return folio_pdf


def _resolve_links(pdf, book: Book, anchors: dict[str, tuple[int, float, float]]) -> None:  # noqa: ANN001
    """Point every internal link (written under DEST_SCHEME) at its anchor's page and position; drop the (never
    expected) ones whose anchor is not in the book."""
    from pikepdf import Array, Name, String

    entries = _entry_index(book)
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        kept = Array()
        for annot in annots:
            action = annot.get("/A")
            uri = action.get("/URI") if action is not None else None
            if uri is not None and str(uri).startswith(DEST_SCHEME):
                del annot["/A"]
                target = anchors.get(str(uri)[len(DEST_SCHEME):])
                if target is None:
                    continue
                index, left, top = target
                annot.Dest = Array([pdf.pages[index].obj, Name.XYZ, left, top, 0])
                annot.Contents = String(link_description(book, str(uri)[len(DEST_SCHEME):], index + 1, entries))
            kept.append(annot)
        page.obj.Annots = kept


def _write_outline(pdf, book: Book, starts: dict[str, int]) -> None:  # noqa: ANN001 - a pikepdf.Pdf
    """The PDF outline: parts and the appendix at level 1, chapters and the figure under their part."""
    import pikepdf

    with pdf.open_outline() as outline:
        parent = None
        for entry in book.entries:
            index = starts[entry.anchor] - 1
            if entry.level == 1:
                title = f"{entry.label} \u00b7 {entry.title}" if entry.label.startswith("Part") else entry.title
                parent = pikepdf.OutlineItem(str(title), index)
                outline.root.append(parent)
            elif parent is not None:
                parent.children.append(pikepdf.OutlineItem(str(entry.title), index))


def _set_metadata(pdf, book: Book, first) -> None:  # noqa: ANN001 - pikepdf objects
    """The book's catalogue entries and document information; XMP from the FIRST segment (the contents')."""
    import pikepdf
    from pikepdf import Name, String

    ctx = book.context
    if "/Metadata" in first.Root:  # the contents segment's XMP: the book's title, PDF/UA identification
        pdf.Root.Metadata = pdf.copy_foreign(first.Root.Metadata)
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    pdf.Root.PageMode = Name.UseOutlines
    pdf.Root.Lang = String(str(ctx["project"].language))
    pdf.docinfo["/Title"] = String(str(book.title))
    pdf.docinfo["/Author"] = String(str(ctx["project"].author))
    pdf.docinfo["/Subject"] = String(str(ctx["description"]))
    pdf.docinfo["/Keywords"] = String(str(ctx["keywords"]))
    pdf.docinfo["/Creator"] = String(f"briefgen {__version__}")
    pdf.docinfo["/Producer"] = String(f"briefgen {__version__}")

