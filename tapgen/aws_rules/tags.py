"""AWS's rules for resource tags, which the user's `tags` variable is validated by.

Source: AWS General Reference, "Tagging your AWS resources", section "Tag naming limits and
requirements": at most 50 user-created tags per resource; a key of 1 to 128 characters and a value
of 0 to 256; across services, letters, numbers, spaces and `+ - = . _ : / @`; keys and values are
case sensitive; the prefix `aws:`, in any case, is reserved for AWS and cannot be used in a key.
"""

from __future__ import annotations

MAX_TAGS_PER_RESOURCE = 50
KEY_PATTERN = "^[A-Za-z0-9 _.:/=+@-]{1,128}$"
VALUE_PATTERN = "^[A-Za-z0-9 _.:/=+@-]{0,256}$"
RESERVED_KEY_PREFIX = "aws:"
CHARACTERS = "letters, digits, spaces and _ . : / = + @ -"
