"""A brief's voice note: what is spoken (script.py), how it is read (sayings.py, words.py),
and the engines that speak it, each in its own process (synthesis.py)."""
