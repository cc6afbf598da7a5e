"""A cheap guess at the language of a note from its commonest words: enough to choose the
phone regions and lexicons to try, not a language identifier."""

import re

from steward.detection.detectors.wordlists import words

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": words(
        "the and is was to of for with that this on we he she they his her our you will "
        "has have had at be are not it an from about by"
    ),
    "de": words(
        "der die das und ist war zu mit den dem des ein eine einen nicht sie er wir ich "
        "auf für von im ist hat haben wird sich auch noch bei über"
    ),
    "fr": words(
        "le la les et est était un une des du de pour avec que qui dans sur pas il elle "
        "nous vous ils au aux ce cette son sa ses a été sera chez"
    ),
    "nl": words("de het een en is was van voor met niet op zijn wij ik hij zij"),
    "es": words("el la los las y es un una de del para con que por en no su se"),
    "it": words("il lo la gli le e è un una di del per con che non sono nel"),
}

_WORD = re.compile(r"[^\W\d_]+")
# Enough words to decide; a long note does not need to be read to the end.
_SAMPLE_WORDS = 80


def guess_language(text: str, default: str = "en") -> str:
    """ "en", "de", "fr" (or "nl", "es", "it") by stopword counts; `default` when unsure."""
    scores = dict.fromkeys(_STOPWORDS, 0)
    for position, match in enumerate(_WORD.finditer(text)):
        if position >= _SAMPLE_WORDS:
            break
        word = match.group().lower()
        for language, stopwords in _STOPWORDS.items():
            if word in stopwords:
                scores[language] += 1
    best = max(scores, key=lambda language: scores[language])
    if scores[best] == 0:
        return default
    # Ties go to the default or the first of the primary languages.
    tied = [language for language, score in scores.items() if score == scores[best]]
    if default in tied:
        return default
    return tied[0]
