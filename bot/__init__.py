"""briefbot: a Telegram bot that serves news briefs."""
