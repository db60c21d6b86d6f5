"""What every indicator and survey viewset shares: the error answers and the id pattern."""

from partnership.api_errors import error_responses

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
ID_REGEX = r"[0-9]+"  # ids only, so "library" and "mine" never reach a detail route
