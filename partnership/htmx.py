"""htmx requests, told apart from full page loads."""


def is_htmx(request) -> bool:
    """True for a request htmx sent (it swaps the answer into the page instead of loading it)."""
    return request.headers.get("HX-Request") == "true"
