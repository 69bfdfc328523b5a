"""Inline mode: `@bot words` in any chat lists or finds briefs to send there, and the copies
sent that way follow the brief's corrections and withdrawal (bot/inline/copies.py)."""
