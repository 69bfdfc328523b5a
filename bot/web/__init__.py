"""The bot's HTTP server: the webhook Telegram posts updates to, /healthz, /readyz, /metrics."""
