"""Tell a whole sentence from a list fragment, a byline or a dateline (drafts and their check share the rules)."""
from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_FRAGMENT_END = re.compile(r"(?:[;,:\u2013\u2014-]|\b(?:and|or|but|nor|the|a|an|of|to|for|with|including|such as))"
                           r"\s*$", re.I)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b(?:{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}|{_MONTHS}\s+\d{{4}}|"
                   rf"\d{{4}}-\d{{2}}-\d{{2}})\b", re.I)
_BYLINE = re.compile(r"^\W*(?:by|written by|updated|published|posted|last (?:updated|modified)|prepared (?:by|for)|"
                     r"authors?:|date:|draft for)\b", re.I)
_REPORT_NO = re.compile(r"\((?:[A-Z]{1,4})?\d{4,6}\)|^\W*[A-Z]{1,4}\d{4,6}\W*$")
_ROLE = re.compile(r"^(?:[A-Z][a-z'\u2019-]+\.?\s+){1,3}(?:(?:Senior|Junior|Chief|Deputy|Assistant|Associate|Visiting|"
                   r"Acting|Principal)\s+)*(?:Analyst|Specialist|Fellow|Director|Professor|Researcher|Editor|"
                   r"Coordinator|Adviser|Advisor|Officer|Scholar|Economist)\b")


def is_byline(text: str) -> bool:
    """A byline, dateline, report number or other line that states who and when, not what."""
    t = " ".join(text.split())
    words = t.split()
    if not words:
        return True
    if _BYLINE.match(t) and len(words) <= 25:
        return True
    if _ROLE.match(t) and len(words) <= 14 and t[-1:] not in ".!?":
        return True
    if (_DATE.search(t) or _REPORT_NO.search(t)) and len(words) <= 14:
        return True
    return len(words) <= 3 and t[-1:] not in ".!?"


def whole_sentence(text: str) -> bool:
    """Whether TEXT reads as whole sentences: a capital to open, a stop to close, more than a few words."""
    t = text.strip().strip("\u201c\u201d\"")
    if len(t.split()) < 5 or _FRAGMENT_END.search(t) or t[-1:] not in ".!?)":
        return False
    return t[:1].isupper() or t[:1].isdigit() or t[:1] in "\u201c\"("


def refusal(text: str) -> tuple[str, str] | None:
    """(what is wrong, the fix) for a draft statement that is a byline or a fragment; None for a sentence."""
    if is_byline(text):
        return ("is a byline or dateline (who wrote it and when), not a statement",
                "delete it; authors and dates belong in seeds/sources.yaml, which `briefgen ingest` fills in")
    if not whole_sentence(text):
        return ("is a fragment, not a whole sentence",
                "write it as a whole sentence (a list item ending in ';' or 'and' needs its lead-in), or delete it")
    return None
