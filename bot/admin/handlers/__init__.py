"""The admins' handlers: uploads and their preview buttons, /correct and the other editing
commands, the copies a correction reaches, /push, and the admins' command menu."""
