"""YAML files read as hostile: bounded in size and depth, with no anchors or aliases.

PyYAML's SafeLoader builds only plain data, but it follows aliases: 371 bytes of
nested anchors ("billion laughs") build a value of billions of items, and a
message that quotes it never finishes. Deep nesting ([[[[...) ends in a
RecursionError instead of a message. So every YAML file Kinerja reads (SOP
files, the organisation, the reference data) goes through `SafeLoader`, which
refuses an anchor or alias where it meets one and any nesting deeper than
MAX_DEPTH, and through `read_limited`, which reads at most KINERJA_YAML_MAX_BYTES.
No Kinerja file needs anchors: an SOP names what it repeats (lanes by key, steps
by number). A value quoted in a message is cut with `shorten`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import DomainError, shorten

# An SOP file nests five levels deep (steps > step > time > amount); the organisation three.
MAX_DEPTH = 20


class Quoted:
    """A value for a message's `%(value)r`: its repr, shortened."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        if isinstance(self.value, str):
            return repr(shorten(self.value))
        return shorten(repr(self.value))


class SafeLoader(yaml.SafeLoader):
    """yaml.SafeLoader without anchors, aliases and merge keys, at most MAX_DEPTH deep."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None,
                None,
                _("anchors and aliases (&name, *name) are not allowed; write the value out"),
                event.start_mark,
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                _("nested more than %(limit)d levels deep") % {"limit": MAX_DEPTH},
                event.start_mark,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# Python refuses to read an integer of more than 4300 digits (a ValueError, CVE-2020-10735);
# none of Kinerja's numbers has more than a handful.
MAX_INT_DIGITS = 100


def _construct_int(loader: SafeLoader, node: yaml.ScalarNode) -> int:
    if len(node.value) > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            _("a number of more than %(limit)d digits") % {"limit": MAX_INT_DIGITS},
            node.start_mark,
        )
    return yaml.SafeLoader.construct_yaml_int(loader, node)


SafeLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def max_bytes() -> int:
    return settings.KINERJA_YAML_MAX_BYTES


def too_large_message(limit: int) -> str:
    return _("the file is larger than %(limit)d KB, more than a YAML file of Kinerja needs.") % {
        "limit": limit // 1024
    }


def read_limited(path: Path, limit: int | None = None) -> bytes:
    """The bytes of `path`, read only up to the limit; DomainError when it is larger
    (OSError as open() raises it)."""
    limit = limit or max_bytes()
    with open(path, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise DomainError(too_large_message(limit))
    return data


def error_reason(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line (1-based) and the reason of a YAML error, the reason shortened."""
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    return (mark.line + 1 if mark else None), shorten(str(reason), 200)


def load_file(path: Path) -> Any:
    """The data of a YAML file of Kinerja's own (the organisation, the reference data);
    DomainError naming the file and line when it is too large or not safe YAML."""
    try:
        text = read_limited(path).decode("utf-8-sig")
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except DomainError as exc:
        raise DomainError(f"{path.name}: {exc.message}") from None
    except UnicodeDecodeError:
        raise DomainError(
            f"{path.name}: " + _("this is not a YAML text file (it is not UTF-8 text).")
        ) from None
    except yaml.YAMLError as exc:
        line, reason = error_reason(exc)
        where = f"{path.name}, " + _("line %(line)d") % {"line": line} if line else path.name
        raise DomainError(
            f"{where}: " + _("malformed YAML: %(reason)s.") % {"reason": reason}
        ) from None
