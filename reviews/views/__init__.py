"""The review pages, one module per page family: rounds, the session and its agenda (sessions),
session mode, the report, actions, and the pages across partnerships. Routed in `reviews.urls`."""
