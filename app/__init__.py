"""Return Desk core: domain model, API clients, store, sync. Never imports Qt."""

__version__ = "0.1.0"
APP_NAME = "Return Desk"
APP_ID = "returndesk"
