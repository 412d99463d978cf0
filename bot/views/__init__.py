"""How results are shown in Telegram, shared by several conversations' handlers (which never
import each other): a screen, an answer to a press, a reply, the preference steps."""
