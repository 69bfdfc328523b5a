"""The readers' handlers, one module per command group, each exporting its handlers in
order (the admins' are in bot/admin/handlers/)."""
