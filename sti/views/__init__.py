"""The cooperation-indicator pages, one module per page family: the home page, the versions and
the settings (home), the indicator workshop with a set and its sign-offs (sets), and the surveys
with the questionnaire and the results (surveys). Routed in `sti.urls`."""
