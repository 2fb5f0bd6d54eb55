"""Text analysis for Korean first, English and numbers too: what becomes a term of the index.

Three analyzers share one interface (`terms(text)` → [(term, start, end)] in reading order):

- `BigramAnalyzer`: Hangul (and Han) runs become overlapping two-syllable grams (행정포털 → 행정 정포 포털), Latin
  words are lower-cased and stemmed (searching → search), numbers stay whole. No dictionary, no model.
- `KiwiAnalyzer`: the Kiwi morphological analyzer (kiwipiepy, its model ships in the wheel): content morphemes
  only (행정포털에서 → 행정 포털; 통합검색시스템 → 통합 검색 시스템), particles and endings dropped.
- `HybridAnalyzer`: Kiwi's morphemes, plus the bigrams in a second field that catches what the dictionary splits
  differently (the backend queries both, the bigram field with a lower weight).

Besides the analyzers, `words(text)` gives spelling-level words (an eojeol and the eojeol without its particle:
행정포털은 → 행정포털은, 행정포털; English lower-cased, not stemmed): they feed prefix queries (행정*), typo
tolerance (one edit in a long word), "did you mean" and the initial-consonant (초성) field (전자결재 → ㅈㅈㄱㅈ).
The README of this plugin has the measurements that chose the default.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# -- normalisation and scripts -------------------------------------------------------------------------------------
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
CHOSEONG_SET = frozenset(CHOSEONG)
# runs: Hangul syllables | Han (hanja) | Latin letters and digits (with inner . , ' - _ kept out: split)
RUN_RE = re.compile(r"(?P<hangul>[\uac00-\ud7a3]+)|(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
                    r"|(?P<latin>[^\W_]+)", re.UNICODE)
LATIN_SPLIT_RE = re.compile(r"[a-z]+|[0-9]+|[^\W\d_a-z]+", re.UNICODE)
# particles (조사) and the copula endings most often glued to a noun, longest first
JOSA = sorted({
    "에서는", "에서도", "에서의", "에게서", "으로는", "으로도", "으로서", "으로써", "이라는", "이라고", "입니다",
    "에서", "에게", "께서", "까지", "부터", "보다", "처럼", "마다", "이나", "이며", "이고", "이다", "으로", "라는",
    "에는", "에도", "와의", "과의", "로는", "로서", "로써", "하고", "이랑", "한테", "의", "은", "는", "이", "가", "을",
    "를", "에", "와", "과", "도", "로", "만", "나", "랑",
}, key=len, reverse=True)


def normalize(text: str) -> str:
    """NFKC (full-width Latin, compatibility forms) and lower case; Hangul syllables are left as they are."""
    return unicodedata.normalize("NFKC", text).lower()


def is_choseong_query(word: str) -> bool:
    """ㅈㅈㄱㅈ: two or more initial consonants (compatibility jamo), nothing else."""
    return len(word) >= 2 and all(ch in CHOSEONG_SET for ch in word)


def choseong(word: str) -> str:
    """The initial consonants of a Hangul word (전자결재 → ㅈㅈㄱㅈ); other characters are dropped."""
    return "".join(CHOSEONG[(ord(ch) - HANGUL_FIRST) // 588] for ch in word
                   if HANGUL_FIRST <= ord(ch) <= HANGUL_LAST)


def strip_josa(word: str) -> str:
    """행정포털에서 → 행정포털; a word keeps at least two syllables (기관 stays 기관, not 기)."""
    for ending in JOSA:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    from whoosh.lang.porter import stem as porter

    return porter(word) if word.isascii() and word.isalpha() and len(word) > 3 else word


def runs(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, start) for every run of one script; text is already normalised."""
    for match in RUN_RE.finditer(text):
        kind = match.lastgroup or "latin"
        if kind == "latin":  # WiFi2020 → wifi, 2020; keeps letters of other scripts (Cyrillic, ...) whole
            for part in LATIN_SPLIT_RE.finditer(match.group()):
                yield "latin", part.group(), match.start() + part.start()
        else:
            yield kind, match.group(), match.start()


def words(text: str) -> list[str]:
    """Spelling-level words: each Hangul eojeol and the eojeol without its particle, each Latin word or number."""
    found: list[str] = []
    for kind, run, _start in runs(normalize(text)):
        if kind == "hangul":
            found.append(run)
            stripped = strip_josa(run)
            if stripped != run:
                found.append(stripped)
        else:
            found.append(run)
    return found


# -- analyzers -----------------------------------------------------------------------------------------------------
Term = tuple[str, int, int]  # (term, start char, end char) in the normalised text


class BigramAnalyzer:
    name = "bigram"
    secondary = False

    def terms(self, text: str) -> list[Term]:
        return bigram_terms(normalize(text))


def bigram_terms(text: str) -> list[Term]:
    found: list[Term] = []
    for kind, run, start in runs(text):
        if kind == "latin":
            found.append((stem(run), start, start + len(run)))
        elif len(run) == 1:
            found.append((run, start, start + 1))
        else:
            found.extend((run[i:i + 2], start + i, start + i + 2) for i in range(len(run) - 1))
    return found


# Kiwi's tags kept as terms: nouns, numerals, roots, verb and adjective stems, foreign words, numbers, hanja,
# and the special tokens (URLs, e-mail addresses, hashtags, ...). Particles, endings, suffixes and punctuation go.
KIWI_KEEP = ("NNG", "NNP", "NNB", "NR", "NP", "XR", "VV", "VA", "SL", "SN", "SH", "W_", "MM", "MAG", "XPN")
# stems and nouns so common in Korean prose that requiring them only loses results (있다, 하다, 수, 것, ...)
KIWI_STOP = frozenset("있하되없같이수것등때및그저좀더잘안못또다")  # one syllable each
_KIWI = None
_KIWI_LOCK = threading.Lock()


def kiwi():
    """One Kiwi per process (loading the model takes about a second), made on first use."""
    global _KIWI
    if _KIWI is None:
        with _KIWI_LOCK:
            if _KIWI is None:
                from kiwipiepy import Kiwi

                _KIWI = Kiwi()
    return _KIWI


class KiwiAnalyzer:
    name = "kiwi"
    secondary = False
    CHUNK = 20000  # characters a call: Kiwi's cost grows with the sentence, long texts go in pieces

    def terms(self, text: str) -> list[Term]:
        text = normalize(text)
        found: list[Term] = []
        for offset in range(0, len(text), self.CHUNK):
            chunk = text[offset:offset + self.CHUNK]
            if not chunk.strip():
                continue
            if not any(HANGUL_FIRST <= ord(ch) <= HANGUL_LAST for ch in chunk):
                found.extend((t, s + offset, e + offset) for t, s, e in bigram_terms(chunk))  # no Korean: no Kiwi
                continue
            for token in kiwi().tokenize(chunk):
                tag = token.tag
                if not tag.startswith(KIWI_KEEP):
                    continue
                form = token.form
                if form in KIWI_STOP:
                    continue
                if tag == "SL":
                    form = stem(form.lower())
                elif tag.startswith(("VV", "VA")):
                    form = form.split("-")[0]
                start = token.start + offset
                found.append((form, start, start + token.len))
        return found


class HybridAnalyzer(KiwiAnalyzer):
    name = "hybrid"
    secondary = True  # the backend adds bigram fields queried with a lower weight


ANALYZERS = {cls.name: cls for cls in (BigramAnalyzer, KiwiAnalyzer, HybridAnalyzer)}
DEFAULT_ANALYZER = "hybrid"


def get_analyzer(name: str = DEFAULT_ANALYZER):
    return ANALYZERS[name]()


@lru_cache(maxsize=4096)
def query_terms(analyzer: str, text: str) -> tuple[str, ...]:
    """A query word's (or phrase's) terms, remembered: Kiwi runs once per distinct word, not on every search."""
    return tuple(term for term, _s, _e in ANALYZERS[analyzer]().terms(text))
