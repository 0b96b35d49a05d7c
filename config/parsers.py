"""The API's request parsers: DRF's own, with two limits every body must keep before any
view sees it (docs/decisions/0022-api-input-hygiene-and-contract.md).

- JSON nested deeper than MAX_JSON_DEPTH is a 400 `parse_error`. Python's json module
  recurses, so thousands of levels would raise RecursionError (a 500) in the parser or
  in any code that walks the result; the depth is measured here without recursing.
- A NUL character anywhere in a JSON string, key or form value is a 400 `invalid`:
  PostgreSQL refuses NUL in text, so it would otherwise surface as a 500 at the first
  query that uses the value.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Our request bodies are a few levels deep; 32 leaves room and stops pathological input.
MAX_JSON_DEPTH = 32

NUL = "\x00"


def _nul_error() -> ParseError:
    return ParseError("The request contains a NUL character.", code="invalid")


def _too_deep() -> ParseError:
    return ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.", code="parse_error")


def check_json_value(value) -> None:
    """Raises ParseError when `value` (parsed JSON) nests deeper than MAX_JSON_DEPTH or
    holds a NUL character in a string or key. Iterative: safe at any depth."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, str):
            if NUL in current:
                raise _nul_error()
            continue
        if not isinstance(current, (dict, list)):
            continue
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(current, dict):
            for key, item in current.items():
                if NUL in key:
                    raise _nul_error()
                stack.append((item, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in current)


class SafeJSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus the depth and NUL limits (and RecursionError as a 400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            value = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise _too_deep() from error
        check_json_value(value)
        return value


def _check_form(data) -> None:
    for key, values in data.lists():
        if NUL in key or any(isinstance(value, str) and NUL in value for value in values):
            raise _nul_error()


class SafeFormParser(parsers.FormParser):
    """DRF's form parser, refusing NUL characters in names and values."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class SafeMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing NUL characters in field names and values."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data)
        return result
