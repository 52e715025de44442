"""Reading the project's YAML files (scenario, policy, catalogue): the data, the line of every key
and Dutch messages for syntax errors.

Every YAML file a user writes is read here, once: :func:`read_yaml_text` parses the text into
Python objects and a map from every key path to its line in the file, and reports keys given
twice. A syntax error becomes one Dutch problem naming its line (PyYAML's English text is
translated; see :func:`yaml_error_nl`). :class:`FileProblems` collects the problems of one file
and lists them in line order.

A key path is a tuple of mapping keys and list positions, as pydantic reports the place of an
error: ``("uptake", "sale_rate")``, ``("candidates", "orders", 1, 2)``.

Hostile files are refused before they cost much time or memory (issue 13, row 6): a file larger
than :data:`MAX_YAML_BYTES` is not read, and :class:`LimitedSafeLoader` (PyYAML's safe loader
with a bounded composer) stops at :data:`MAX_YAML_DEPTH` levels of nesting, at
:data:`MAX_YAML_NODES` values counted with every alias expanded (a "billion laughs" file) and at
an alias inside its own anchor (a recursive document). Each gives one Dutch problem with its line;
so does a value PyYAML's constructor cannot make (:class:`YamlValueError`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ConfigDict

from sim.errors import InputError, Problem, Problems

Loc = tuple[int | str, ...]


# ---------------------------------------------------------------------- places and lines
def place(loc: Sequence[int | str]) -> str:
    """A key path as written in messages: ``uptake.sale_rate``, ``candidates.orders[1][2]``.

    Examples
    --------
    >>> place(("candidates", "orders", 1, 2))
    'candidates.orders[1][2]'
    >>> place(())
    '(bestand)'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            continue  # pydantic marks a bad dict key; the key itself is the previous part
        else:
            out += f".{part}" if out else str(part)
    return out or "(bestand)"


class CachingModel(BaseModel):
    """A frozen model that keeps caches in private attributes (the catalogue's variants, the
    policy's carrier tables): equality compares the fields only, and a copy starts with empty
    caches, so a changed copy never answers from its original's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (``update``: fields to change), with its own empty caches."""
        out = super().model_copy(update=update, deep=deep)
        for name, attr in self.__private_attributes__.items():
            setattr(out, name, attr.get_default(call_default_factory=True, validated_data={}))
        return out

    def __eq__(self, other: object) -> bool:
        """Equal fields (the caches do not count)."""
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]


def line_of(loc: Sequence[int | str], lines: Mapping[Loc, int]) -> int | None:
    """Line (1-based) of the deepest part of ``loc`` that is in the file.

    A key that is missing is placed at the line of its parent (``uptake.sale_rate`` missing:
    the line of ``uptake``); a key missing at the top level has no useful line (None).
    """
    path: Loc = ()
    for part in loc:
        if (*path, part) in lines:
            path = (*path, part)
    return lines.get(path) if path else None


def place_with_line(loc: Sequence[int | str], lines: Mapping[Loc, int]) -> str:
    """``place(loc)`` followed by ``(regel N)`` when the line is known."""
    where = place(tuple(loc))
    line = line_of(loc, lines)
    return where if line is None else f"{where} (regel {line})"


class FileProblems(Problems):
    """The problems of one file, listed in line order when raised (problems without a line
    first: they concern the whole file)."""

    def __init__(self, what: str, lines: Mapping[Loc, int] | None = None) -> None:
        super().__init__(what)
        self.lines: dict[Loc, int] = dict(lines or {})
        self._order: list[int] = []

    def add(
        self, field: str, message: str, rows: Iterable[int] | None = None, line: int | None = None
    ) -> None:
        """Record a problem; ``line`` orders it among the others."""
        super().add(field, message, rows)
        self._order.append(0 if line is None else line)

    def at(self, loc: Sequence[int | str], message: str) -> None:
        """Record a problem at key path ``loc``, named with its line."""
        self.add(place_with_line(loc, self.lines), message, line=line_of(loc, self.lines))

    def extend(self, problems: Iterable[Problem], line: int | None = None) -> None:
        """Record problems found elsewhere (e.g. in a file this one refers to) at ``line``."""
        for p in problems:
            self.items.append(p)
            self._order.append(0 if line is None else line)

    def raise_if_any(self, error: type[InputError] = InputError) -> None:
        order = sorted(range(len(self.items)), key=lambda k: self._order[k])
        self.items = [self.items[k] for k in order]
        self._order = [self._order[k] for k in order]
        super().raise_if_any(error)


# ---------------------------------------------------------------------- validation messages
_PYDANTIC_NL = {
    "extra_forbidden": "onbekende sleutel",
    "missing": "verplichte sleutel ontbreekt",
    "greater_than_equal": "moet ≥ {ge} zijn",
    "greater_than": "moet > {gt} zijn",
    "less_than_equal": "moet ≤ {le} zijn",
    "float_parsing": "moet een getal zijn",
    "float_type": "moet een getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_type": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "string_type": "moet tekst zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een tabel (sleutel: waarde) zijn",
    "model_type": "moet een tabel (sleutel: waarde) zijn",
    "bool_parsing": "moet true of false zijn",
    "date_from_datetime_parsing": "moet een datum (JJJJ-MM-DD) zijn",
    "less_than": "moet < {lt} zijn",
    "finite_number": "moet een eindig getal zijn",
    "bool_type": "moet true of false zijn",
    "too_short": "moet minstens {min_length} element(en) bevatten",
    "too_long": "mag hoogstens {max_length} element(en) bevatten",
    "union_tag_invalid": "onbekende waarde '{tag}' voor {discriminator}; kies uit {expected_tags}",
    "union_tag_not_found": "sleutel {discriminator} ontbreekt",
    "literal_error": "moet een van {expected} zijn",
    "enum": "moet een van {expected} zijn",
    "string_too_long": "is te lang: hoogstens {max_length} tekens",
    "string_too_short": "is te kort: minstens {min_length} teken(s)",
    "string_pattern_mismatch": "heeft niet de verwachte vorm (patroon {pattern})",
    "date_parsing": "moet een datum (JJJJ-MM-DD) zijn",
    "date_type": "moet een datum (JJJJ-MM-DD) zijn",
    "json_invalid": "is geen geldige JSON",
    "model_attributes_type": "moet een tabel (sleutel: waarde) zijn",
    # a validator's own ValueError: its text (Dutch in this project) without "Value error, "
    "value_error": "{error}",
}


def pydantic_message_nl(err: Mapping[str, Any]) -> str:
    """A pydantic validation error in Dutch, for every file and request the project validates
    (scenario, policy, catalogue, the service's bodies). The project's own checks raise their
    message in Dutch already (PydanticCustomError) and rare kinds keep pydantic's text: both are
    passed through.

    Examples
    --------
    >>> pydantic_message_nl({"type": "greater_than_equal", "msg": "...", "ctx": {"ge": 0.0}})
    'moet ≥ 0 zijn'
    >>> err = ValueError("notes mag niet leeg (null) zijn")
    >>> pydantic_message_nl({"type": "value_error", "msg": f"Value error, {err}", "ctx": {"error": err}})
    'notes mag niet leeg (null) zijn'
    """
    template = _PYDANTIC_NL.get(err["type"])
    if template is None:
        return str(err["msg"])
    ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in (err.get("ctx") or {}).items()}
    return template.format(**ctx)


# ---------------------------------------------------------------------- limits
#: Largest YAML file read [bytes]. The shipped catalogue is 32 kB, the shipped policy 25 kB and a
#: scenario about 8 kB; 2 MB leaves room for a catalogue or policy many times larger, while the
#: pure-Python reader (needed for the line of every key) parses it in a few seconds. A larger file
#: is not one of this tool's files, or is one that should be split; it is refused before it is read.
MAX_YAML_BYTES: int = 2 * 1024 * 1024

#: Deepest nesting of lists and mappings. The shipped files nest at most 5 levels deep; PyYAML's
#: composer recurses once per level (a few Python frames each), so without a limit 20,000 nested
#: ``[`` end in a RecursionError instead of a message.
MAX_YAML_DEPTH: int = 100

#: Most values (scalars, lists, mappings; keys included) in one document, counted as if every
#: alias ``*x`` were written out in full. The shipped catalogue has about 1,100 and the policy
#: (with its 30 aliases) about 950; a "billion laughs" file of 342 bytes expands to over a
#: billion, which every reader after the composer (the line map, pydantic) would walk one by one.
#: The pure-Python composer builds about 50,000 values a second, so a file is refused within
#: about a second however it is made.
MAX_YAML_NODES: int = 50_000


class YamlDutchError(yaml.MarkedYAMLError):
    """A problem this module found in a document, already in Dutch (``message_nl``)."""

    def __init__(self, message_nl: str, mark: yaml.Mark | None) -> None:
        super().__init__(None, None, message_nl, mark)
        self.message_nl = message_nl


class YamlLimitError(YamlDutchError):
    """A document that exceeds one of the limits above; ``message_nl`` says which."""


class YamlValueError(YamlDutchError):
    """A value PyYAML's constructor cannot make: an integer of more than 4,300 digits (Python's
    limit), a date or time that does not exist (``2025-13-45``). PyYAML lets these out as a
    bare ValueError, without file or line."""


class LimitedSafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader whose composer counts and bounds what it builds.

    While the document is composed into nodes it tracks the nesting depth (the scanner also
    stops at as many open brackets, before it scans far ahead) and the number of
    values the document has with every alias expanded (each node's expanded size is known when
    its composition ends, so an alias adds its anchor's size in one step, without expanding it).
    Exceeding :data:`MAX_YAML_DEPTH` or :data:`MAX_YAML_NODES`, or an alias to an anchor that is
    still being composed (a document that contains itself), raises :class:`YamlLimitError` at
    once: a hostile document costs at most ``MAX_YAML_NODES`` steps, never its expansion.
    A value the constructor cannot make becomes a :class:`YamlValueError` at its line.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._expanded = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}  # id(node) -> expanded size, once composed

    @staticmethod
    def _too_deep(mark: yaml.Mark | None) -> YamlLimitError:
        return YamlLimitError(
            f"de waarden zijn meer dan {MAX_YAML_DEPTH} niveaus diep genest (lijsten '[' en "
            "tabellen '{' of inspringing in elkaar); een bestand van deze tool heeft er "
            "hoogstens enkele nodig",
            mark,
        )

    def fetch_flow_collection_start(self, token_class: type[yaml.Token]) -> None:
        # The scanner looks up to 1,024 characters ahead for a possible key, at a cost that
        # grows with the square of the open brackets in that stretch: stop at the limit of
        # brackets already (20,000 '[' then take milliseconds, not half a second).
        if self.flow_level >= MAX_YAML_DEPTH:
            raise self._too_deep(self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError):
            shown = str(node.value)[:40] if isinstance(node, yaml.ScalarNode) else ""
            if node.tag.endswith(":int"):
                message = (
                    f"het getal {shown}... heeft meer dan 4.300 cijfers; zet het tussen "
                    "aanhalingstekens als het tekst is"
                )
            elif node.tag.endswith(":timestamp"):
                message = (
                    f"'{shown}' staat er als datum of tijd maar bestaat niet; verbeter de datum "
                    "(JJJJ-MM-DD) of zet de waarde tussen aanhalingstekens als het tekst is"
                )
            else:
                message = f"de waarde '{shown}' kan niet gelezen worden ({node.tag})"
            raise YamlValueError(message, node.start_mark) from None

    def _count(self, n: int, mark: yaml.Mark | None) -> None:
        self._expanded += n
        if self._expanded > MAX_YAML_NODES:
            most = f"{MAX_YAML_NODES:,}".replace(",", ".")
            if self._aliases:
                raise YamlLimitError(
                    f"het bestand bevat, met elke verwijzing (*anker) uitgeschreven, meer dan "
                    f"{most} waarden (een 'billion laughs'-bestand?); schrijf de waarden uit in "
                    "plaats van verwijzingen naar verwijzingen te stapelen",
                    mark,
                )
            raise YamlLimitError(
                f"het bestand bevat meer dan {most} waarden; een bestand van deze tool heeft er "
                "enkele duizenden (is dit het juiste bestand?)",
                mark,
            )

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                size = self._sizes.get(id(node))
                if size is None:
                    raise YamlLimitError(
                        f"verwijzing '*{event.anchor}' staat binnen haar eigen anker "
                        f"'&{event.anchor}' (het bestand bevat zichzelf); schrijf de waarden uit",
                        event.start_mark,
                    )
                self._aliases += 1
                self._count(size, event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise self._too_deep(self.peek_event().start_mark)
        before = self._expanded
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._count(1, None if node is None else node.start_mark)
        if node is not None:
            self._sizes[id(node)] = self._expanded - before
        return node


def too_large(size: int, name: str) -> str | None:
    """The Dutch problem of a YAML file of ``size`` bytes, None when it is small enough.

    Examples
    --------
    >>> too_large(100, "x.yaml") is None
    True
    >>> too_large(100 * 1024 * 1024, "x.yaml")[:36]
    'x.yaml is te groot (100,0 MB): een Y'
    """
    if size <= MAX_YAML_BYTES:
        return None
    mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
    cap = MAX_YAML_BYTES // 1024 // 1024
    return (
        f"{name} is te groot ({mb} MB): een YAML-bestand van deze tool (scenario, beleid, "
        f"maatregelencatalogus) is hoogstens {cap} MB; het meegeleverde beleid is 25 kB. "
        "Controleer of dit het juiste bestand is"
    )


# ---------------------------------------------------------------------- reading
@dataclass(frozen=True)
class YamlDocument:
    """A YAML file read into Python objects, with the line of every key and list item.

    Attributes
    ----------
    data : Any
        What ``yaml.safe_load`` gives (None for an empty file).
    lines : dict
        Key path -> line (1-based); ``()`` is the first line of the document.
    doubles : list of (key path, line, first line)
        Keys given twice in one mapping (the YAML reader keeps the last one silently).
    """

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    doubles: list[tuple[Loc, int, int]] = field(default_factory=list)


def _line_map(node: yaml.Node) -> tuple[dict[Loc, int], list[tuple[Loc, int, int]]]:
    lines: dict[Loc, int] = {(): node.start_mark.line + 1}
    doubles: list[tuple[Loc, int, int]] = []

    def walk(n: yaml.Node, path: Loc) -> None:
        if isinstance(n, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in n.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in seen:
                    doubles.append(((*path, key), line, seen[key]))
                seen[key] = line
                lines[(*path, key)] = line
                walk(value_node, (*path, key))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                lines[(*path, i)] = item.start_mark.line + 1
                walk(item, (*path, i))

    walk(node, ())
    return lines, doubles


def read_yaml_text(text: str, name: str, problems: FileProblems) -> YamlDocument | None:
    """Parse YAML ``text`` (of the file called ``name``) with the safe loader.

    Keys given twice are added to ``problems``; so is a syntax error (in Dutch, with its line),
    and then None is returned; so is a text over :data:`MAX_YAML_BYTES` (not parsed) and one
    over the limits of :class:`LimitedSafeLoader`. ``problems.lines`` is set to the line map
    of the document.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if (large := too_large(size, name)) is not None:
        problems.add("(bestand)", large)
        return None
    try:
        loader = LimitedSafeLoader(text)  # checks the characters of the whole text
        try:
            node = loader.get_single_node()
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        line, message = yaml_error_nl(exc, text)
        where = "(bestand)" if line is None else f"regel {line}"
        problems.add(where, f"geen geldige YAML in {name}: {message}", line=line)
        return None
    lines, doubles = ({}, []) if node is None else _line_map(node)
    problems.lines = dict(lines)
    for key_path, line, first in doubles:
        problems.add(
            f"{place(key_path)} (regel {line})",
            f"sleutel komt twee keer voor (eerst op regel {first})",
            line=line,
        )
    return YamlDocument(data, lines, doubles)


def read_yaml_file(path: str | Path, problems: FileProblems) -> YamlDocument | None:
    """Read and parse a YAML file; a missing, unreadable or too large file is a problem (None
    returned). The size is checked before the file is read, and no more than one byte past
    :data:`MAX_YAML_BYTES` is ever read (a file whose size the system does not tell, such as
    one under ``/proc``, or one that grows while it is read)."""
    file = Path(path)
    if not file.is_file():
        problems.add("(bestand)", f"bestand niet gevonden: {file}")
        return None
    try:
        if (large := too_large(file.stat().st_size, file.name)) is not None:
            problems.add("(bestand)", large)
            return None
        with file.open("rb") as stream:
            raw = stream.read(MAX_YAML_BYTES + 1)
        if (large := too_large(len(raw), file.name)) is not None:
            problems.add("(bestand)", large)
            return None
        # decoded as Path.read_text does (UTF-8, universal newlines)
        text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as exc:
        problems.add("(bestand)", f"kan het bestand niet lezen als UTF-8-tekst: {exc}")
        return None
    return read_yaml_text(text, file.name, problems)


# ---------------------------------------------------------------------- syntax errors in Dutch
_FIX = "controleer de inspringing (spaties, geen tabs), dubbelpunten, haakjes en aanhalingstekens"
_TOKEN_NL = {
    "<block mapping start>": "een nieuwe sleutel",
    "<block sequence start>": "een lijst",
    "<block end>": "het einde van een blok",
    "<stream end>": "het einde van het bestand",
    "<scalar>": "een waarde",
    "<flow mapping start>": "'{'",
    "<flow sequence start>": "'['",
}


def _token(text: str) -> str:
    text = text.strip("'")
    return _TOKEN_NL.get(text, f"'{text}'")


def yaml_error_nl(exc: yaml.YAMLError, text: str = "") -> tuple[int | None, str]:
    """The line (1-based, None when unknown) and a Dutch explanation of a PyYAML error.

    The line is where the user has to look: for a bracket, brace or quote that is not closed,
    the line where it opens; otherwise where the reader stopped.

    Examples
    --------
    >>> import yaml
    >>> try:
    ...     yaml.safe_load("a: 1\\nb: {x: 1\\nc: 2\\n")
    ... except yaml.YAMLError as exc:
    ...     line, message = yaml_error_nl(exc)
    >>> line, message[:42]
    (2, "de accolade '{' wordt niet gesloten (de fo")
    """
    if isinstance(exc, YamlDutchError):
        mark = exc.problem_mark
        return (None if mark is None else mark.line + 1), exc.message_nl
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1 if text else None
        char = exc.character
        code = ord(char) if isinstance(char, str) else int(char)
        return line, (
            f"het teken #x{code:04x} (een stuurteken) mag niet in een YAML-bestand staan; "
            "verwijder het (het kan onzichtbaar zijn in de editor)"
        )
    if not isinstance(exc, yaml.MarkedYAMLError):
        return None, f"het bestand is geen geldige YAML; {_FIX}"
    problem = exc.problem or ""
    context = exc.context or ""
    p_line = None if exc.problem_mark is None else exc.problem_mark.line + 1
    c_line = None if exc.context_mark is None else exc.context_mark.line + 1
    line = p_line if p_line is not None else c_line
    opened = c_line if c_line is not None else line

    if m := re.match(r"expected ',' or '([}\]])', but got (.*)", problem):
        close = m.group(1)
        what = "de accolade '{'" if close == "}" else "de rechte haak '['"
        return opened, (
            f"{what} wordt niet gesloten (de fout blijkt op regel {p_line}: verwacht ',' of "
            f"'{close}'); sluit ze met '{close}' of zet een komma tussen de elementen"
        )
    if "quoted scalar" in context:
        return opened, (
            f"het aanhalingsteken wordt niet gesloten (de fout blijkt op regel {p_line}); "
            "sluit de tekst met hetzelfde aanhalingsteken"
        )
    if problem == "mapping values are not allowed here":
        return line, (
            "hier mag geen dubbelpunt ':' staan: staat er een tweede 'sleutel:' op dezelfde "
            "regel, of springt de regel verder in dan de sleutel erboven? Zet tekst met ': ' "
            "tussen aanhalingstekens"
        )
    if problem == "could not find expected ':'":
        return opened, (
            "na de sleutel ontbreekt een dubbelpunt ':' (of de tekst loopt door op de volgende "
            f"regel zonder aanhalingstekens; de fout blijkt op regel {p_line})"
        )
    if m := re.match(r"expected <block end>, but found (.*)", problem):
        found = m.group(1).strip("'")
        if found in ("]", "}"):
            return line, f"'{found}' sluit een haakje dat niet geopend werd"
        return line, (
            f"de inspringing klopt niet: hier staat {_token(found)} op een plaats waar het blok "
            f"van regel {c_line} gedaan moet zijn; geef elementen van hetzelfde niveau dezelfde "
            "inspringing (spaties, geen tabs)"
        )
    if m := re.match(r"found character '(.*)' that cannot start any token", problem):
        char = m.group(1)
        if char == "\\t":
            return line, "een tab-teken: YAML springt in met spaties, niet met tabs"
        return line, (
            f"een waarde mag niet beginnen met '{char}'; zet de waarde tussen aanhalingstekens"
        )
    if m := re.match(r"found undefined alias '(.*)'", problem):
        return line, f"verwijzing '*{m.group(1)}' naar een anker '&{m.group(1)}' dat niet bestaat"
    if m := re.match(r"found duplicate anchor '(.*)'", context):
        return line, f"anker '&{m.group(1)}' komt twee keer voor (eerst op regel {c_line})"
    if problem == "but found another document":
        return line, "het bestand bevat meer dan één YAML-document ('---'); hou er één"
    if problem.startswith("could not determine a constructor for the tag"):
        tag = problem.rsplit(" ", 1)[-1]
        return line, f"het YAML-label (tag) {tag} is niet toegelaten; gebruik gewone waarden"
    if problem == "found unhashable key":
        return line, "een sleutel moet één waarde zijn, geen lijst of tabel"
    if problem == "found unexpected end of stream":
        return line, f"het bestand houdt onverwacht op; {_FIX}"
    return line, f"de YAML-opbouw klopt hier niet; {_FIX}"


__all__ = [
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "CachingModel",
    "FileProblems",
    "LimitedSafeLoader",
    "Loc",
    "YamlDocument",
    "YamlDutchError",
    "YamlLimitError",
    "YamlValueError",
    "line_of",
    "place",
    "place_with_line",
    "read_yaml_file",
    "read_yaml_text",
    "too_large",
    "yaml_error_nl",
]
