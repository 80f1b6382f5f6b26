"""Standards-framework and evidence importers (standard library only).

Every parser takes `bytes | str` and raises only `ImportFailed`, listing every
problem found (line or item id, field, reason). A file with nothing to
import (empty, header only, a CASE package without items) is an
ImportFailed "nothing to import", never an empty framework: a returned
draft always has at least one standard.
"""

from lti_tool.importers.detect import detect_format, parse_any
from lti_tool.importers.errors import ImportFailed, Problem

__all__ = ["ImportFailed", "Problem", "detect_format", "parse_any"]
