"""The wiring above `handlers/`, `bot/` and `schedules/`: the Application with every handler
registered (`minqing.app`), the running office with its workers and schedules
(`minqing.runtime`), and the local console (`minqing.console`). Nothing below imports it."""
