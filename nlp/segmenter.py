"""Text normalisation and jieba word segmentation.

Every model in :mod:`nlp` works on *segmented documents*: the tokens of one
idea joined by single spaces, which is also how the app stores them, so a
rebuild never segments an unchanged idea twice.  :func:`split_tokens` turns
such a string back into tokens; :func:`tokenize` segments raw text with the
process-wide default :class:`Segmenter`.
"""
import logging
import multiprocessing
import re
import threading
import unicodedata
import warnings
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT_PATH = DATA_DIR / "userdict.txt"
STOPWORDS_PATH = DATA_DIR / "stopwords.txt"

# Masked phone numbers and ids such as "*****" or "138****1234".
_MASKED = re.compile(r"[0-9*]*\*{2,}[0-9*]*")
# Five or more digits are phone numbers, ids or amounts: never topical.
_LONG_DIGITS = re.compile(r"[0-9]{5,}")
# Anything that is not a letter or digit: punctuation, symbols, whitespace.
_NON_WORD = re.compile(r"[\W_]+")
# Pure numbers and anonymised place codes ("a3", "e12") after lower-casing;
# "5g" or "app" stay.
_NOISE_TOKEN = re.compile(r"[0-9.%]+|[a-z][0-9]+")


def normalize(text):
    """Return ``text`` in half-width form with noise and punctuation removed.

    NFKC folds full-width letters, digits and the ideographic space (U+3000)
    to their ASCII forms; masked numbers and long digit runs are dropped;
    punctuation, symbols and runs of whitespace become one space, so jieba
    never sees them.
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _MASKED.sub(" ", text)
    text = _LONG_DIGITS.sub(" ", text)
    return _NON_WORD.sub(" ", text).strip()


def read_word_list(path):
    """Words of a one-word-per-line file, skipping blanks and ``#`` comments."""
    with open(path, encoding="utf-8") as handle:
        return [w for w in (line.strip() for line in handle) if w and not w.startswith("#")]


def _new_jieba_tokenizer(cache_dir):
    # jieba 0.42.1 compiles regexes with invalid escapes (SyntaxWarning when
    # its .pyc is rebuilt) and may import the deprecated pkg_resources; both
    # are upstream noise that must not turn into errors under ``-W error``.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    # The default logger prints DEBUG lines about the prefix-dict cache.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir = str(cache_dir)
    tokenizer.initialize()
    return tokenizer


class Segmenter:
    """A jieba tokenizer with the campaign dictionary and stop words.

    Parameters
    ----------
    cache_dir : str or Path, optional
        Where jieba keeps its prefix-dictionary cache (the app passes its
        instance folder); the system temp directory when None.
    user_words : iterable of str
        Extra words kept whole, e.g. the current themes' keywords.
    userdict_path, stopwords_path : str or Path
        One word per line; default to the files shipped in ``nlp/data``.
    hmm : bool
        Let jieba's HMM join unknown words (names, new terms).

    Building one loads jieba's dictionary (about a second), so a process
    builds one and shares it: see :func:`set_default_segmenter`.  Pickling
    keeps only the parameters; unpickling builds a fresh tokenizer, which is
    how worker processes get their own.
    """

    def __init__(self, cache_dir=None, user_words=(), userdict_path=USERDICT_PATH,
                 stopwords_path=STOPWORDS_PATH, hmm=True):
        self.cache_dir = cache_dir
        self.user_words = tuple(user_words)
        self.userdict_path = userdict_path
        self.stopwords_path = stopwords_path
        self.hmm = hmm
        self._build()

    def _build(self):
        self._tokenizer = _new_jieba_tokenizer(self.cache_dir)
        for word in read_word_list(self.userdict_path) + list(self.user_words):
            # Keywords are written with the same half-width folding as texts.
            word = normalize(word).replace(" ", "")
            if word:
                self._tokenizer.add_word(word)
        self.stopwords = frozenset(normalize(w) for w in read_word_list(self.stopwords_path))

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("_tokenizer", "stopwords")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._build()

    def cut(self, text):
        """Tokens of ``text``: jieba precise mode, minus stop words and noise."""
        stopwords = self.stopwords
        return [
            token for token in self._tokenizer.cut(normalize(text), HMM=self.hmm)
            if len(token) > 1 and token not in stopwords
            and not token.isspace() and not _NOISE_TOKEN.fullmatch(token)
        ]

    def segment(self, text):
        """The space-joined tokens of ``text``, the form the app stores."""
        return " ".join(self.cut(text))


_default_segmenter = None
_default_lock = threading.Lock()


def get_default_segmenter():
    """The process-wide segmenter, built on first use if none was installed."""
    global _default_segmenter
    if _default_segmenter is None:
        with _default_lock:
            if _default_segmenter is None:
                _default_segmenter = Segmenter()
    return _default_segmenter


def set_default_segmenter(segmenter):
    """Install ``segmenter`` as the process-wide default (the app does this once)."""
    global _default_segmenter
    _default_segmenter = segmenter


def tokenize(text):
    """Segment raw text with the default segmenter (picklable, for vectorizers)."""
    return get_default_segmenter().cut(text)


def segment(text):
    """Space-joined tokens of raw text, using the default segmenter."""
    return get_default_segmenter().segment(text)


def split_tokens(doc):
    """Tokens of an already segmented, space-joined document."""
    return doc.split()


def segment_many(texts, n_jobs=2, segmenter=None, chunksize=64, min_parallel=500):
    """Segment many raw texts, in ``n_jobs`` processes when worth it.

    Each worker unpickles ``segmenter`` (default: the process-wide one) once,
    which rebuilds its tokenizer with the same dictionary and cache folder.
    Workers are spawned rather than forked because the app calling this may
    run threads (web server, database pool) that fork would copy mid-flight.
    Returns the space-joined token strings in input order.
    """
    texts = list(texts)
    segmenter = segmenter if segmenter is not None else get_default_segmenter()
    if n_jobs <= 1 or len(texts) < min_parallel:
        return [segmenter.segment(text) for text in texts]
    context = multiprocessing.get_context("spawn")
    with context.Pool(n_jobs, initializer=set_default_segmenter, initargs=(segmenter,)) as pool:
        return pool.map(segment, texts, chunksize=chunksize)
