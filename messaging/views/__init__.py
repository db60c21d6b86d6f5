"""The hub's pages, one module per page family: threads, documents, and the hub across
partnerships (inbox, search, preferences). Routed in `messaging.urls`."""
