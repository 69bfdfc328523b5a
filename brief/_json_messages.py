"""What the JSON form's reader says, each message marked for translation (brief/_messages.py).

Most follow the place in the document they are about, shown before them as a programmer
writes it ("facts[2].sources: must be an array"); the place stays as it is.
"""

from __future__ import annotations

from brief._messages import N_, Nn_

# Translators: %(fields)s lists a JSON object's keys ("title, summary, facts"), kept as they are
BRIEF_NOT_AN_OBJECT = N_("the brief must be a JSON object with %(fields)s")
# Translators: after the place of a value in a JSON document; %(fields)s as above
NOT_AN_OBJECT = N_("must be an object with %(fields)s")
# Translators: after the place of a key in a brief's JSON form that does not belong there
NOT_PART_OF = {
    "brief": N_("is not part of a brief; remove it"),
    "fact": N_("is not part of a fact; remove it"),
    "source": N_("is not part of a source; remove it"),
    "narrative": N_("is not part of a narrative; remove it"),
}
# Translators: after the place of a key in a JSON document
KEY_MISSING = N_("is missing; add it")
# Translators: after the place of a value in a JSON document
NOT_A_STRING = N_("must be a string")
# Translators: after the place of a value in a JSON document
EMPTY = N_("is empty; write it")
# Translators: after the place of a value in a JSON document; %(count)s is its length
TOO_LONG = Nn_(
    "is %(count)s character long; shorten it to %(limit)s",
    "is %(count)s characters long; shorten it to %(limit)s",
)
# Translators: after "language" in a JSON document; "en", "es" and "pt-BR" stay as they are
NOT_A_TAG = N_('must be a language tag such as "en", "es" or "pt-BR"')
# Translators: as the one above; %(tag)s is the value as written
WRONG_TAG = N_(
    '"%(tag)s" is not a language tag; write one such as "en", "es" or "pt-BR" '
    "(the language in lower case)"
)
# Translators: after the place of a value in a JSON document
NOT_A_NUMBER = N_("must be a whole number from 1 up")
# Translators: after the place of a value in a JSON document
NOT_A_URL = N_("must be null or a web address starting with http:// or https://")
# Translators: after the place of a value in a JSON document
NOT_AN_ARRAY = N_("must be an array")
# Translators: after the place of a JSON array; %(limit)s is the most it may hold
TOO_MANY_ITEMS = Nn_(
    "has %(count)s item; a brief has at most %(limit)s",
    "has %(count)s items; a brief has at most %(limit)s",
)
# Translators: after "facts"; %(minimum)s is how many a brief needs at least
FEW_FACTS = Nn_(
    "has %(count)s fact; a brief needs at least %(minimum)s",
    "has %(count)s facts; a brief needs at least %(minimum)s",
)
# Translators: after "sources"; %(minimum)s is how many a brief needs at least
FEW_SOURCES = Nn_(
    "has %(count)s source; a brief needs at least %(minimum)s",
    "has %(count)s sources; a brief needs at least %(minimum)s",
)
# Translators: after "narratives"; %(minimum)s is how many a brief needs at least
FEW_NARRATIVES = Nn_(
    "has %(count)s narrative; a brief needs at least %(minimum)s",
    "has %(count)s narratives; a brief needs at least %(minimum)s",
)
JSON_NOT_UTF8 = N_("the upload is not UTF-8 text; save the JSON file as UTF-8")
EMPTY_JSON = N_("the upload is empty; send a JSON object with the brief")
# Translators: %(error)s is Python's own description of the mistake, in English ("Expecting
# value"); %(column)s is where on the line it is
NOT_JSON = N_("the upload is not valid JSON: %(error)s (column %(column)s)")
# Translators: %(count)s is how deep a brief may nest; facts[0].sources[0] stays as it is
TOO_DEEP = Nn_(
    "the JSON nests more than %(count)s level deep here; a brief nests four (facts[0].sources[0])",
    "the JSON nests more than %(count)s levels deep here; a brief nests four (facts[0].sources[0])",
)
