"""What the text form's parser says, each message marked for translation (brief/_messages.py).

Kept apart from the parser so it reads as code; the words of the sources, facts and
narratives sections' own readers stay beside them."""

from __future__ import annotations

from brief._messages import N_, Nn_

# Translators: Facts, Sources and Narratives are a brief's headings: write them as a brief in
# your language writes them (brief-format.md, "Briefs in other languages")
EMPTY_UPLOAD = N_(
    "the upload is empty; send the brief's text: a title, a summary, "
    "then the Facts, Sources and Narratives sections"
)
# Translators: %(text)s is the upload's first line, shortened
TITLE_IS_A_HEADING = N_(
    'the first line should be the title, but it is "%(text)s"; '
    "put the title and the summary above it"
)
# Translators: %(facts)s is the brief's own word for its Facts heading ("Hechos"), kept as
# the brief writes it; so are %(sources)s and %(narratives)s in the messages below
NO_SUMMARY = N_(
    "there is no summary; write it on the lines between the title and the %(facts)s heading"
)
# Translators: %(heading)s is a heading as the brief writes it, %(first)s a line number
SECOND_SECTION = N_(
    "a second %(heading)s section (the first is on line %(first)s); "
    "a brief has one %(heading)s section, so merge them"
)
# Translators: %(name)s is a heading the format does not know ("Predictions"); a warning
SECTION_LEFT_OUT = N_(
    'the "%(name)s" section (line %(first)s) was left out: a brief keeps only its summary, '
    "%(facts)s, %(sources)s and %(narratives)s"
)
# Translators: as the one above, for a section over several lines, %(first)s to %(last)s
SECTION_LEFT_OUT_LINES = N_(
    'the "%(name)s" section (lines %(first)s\u2013%(last)s) was left out: a brief keeps only '
    "its summary, %(facts)s, %(sources)s and %(narratives)s"
)
NO_FACTS_SECTION = N_(
    'there is no %(facts)s section; add a line "%(facts)s" after the summary, '
    'then one "- " line per fact'
)
# Translators: %(conjunction)s is the brief's own "and" ("y"); "Name" stands for a source's name
NO_SOURCES_SECTION = N_(
    "there is no %(sources)s section; add a line such as "
    '"%(sources)s: 1Name, 2Name %(conjunction)s 3Name." after the facts'
)
# Translators: %(shape)s is a narrative's line in the brief's words:
# "- <label> narrative, as provided by <outlet>. <text>"
NO_NARRATIVES_SECTION = N_(
    'there is no %(narratives)s section; add a line "%(narratives)s", then one line each: %(shape)s'
)
NO_SOURCES = N_('the %(sources)s section lists no sources; add one line per source, "1. Name"')
LINE_UNDER_NO_HEADING = N_(
    "this line follows the %(sources)s line but is under no heading; "
    "put it under %(facts)s or %(narratives)s, or remove it"
)
# Translators: %(count)s is the length of a one-line list of sources
LONG_INLINE_SOURCES = Nn_(
    "this list of sources is %(count)s character long, too long for one line; "
    'put a line "%(sources)s", then one line per source: "1. Name"',
    "this list of sources is %(count)s characters long, too long for one line; "
    'put a line "%(sources)s", then one line per source: "1. Name"',
)
NO_FACTS = N_('the %(facts)s section has no facts; add one line per fact, starting with "- "')
