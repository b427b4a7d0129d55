"""What the built frontend can put on a page at run time, read from its JavaScript.

PurgeCSS keeps a rule when its class names appear in the prerendered pages or the
bundles. Radix Themes builds some class names only at run time, from a prop's class
prefix and its value (`rt-r-size` and `"2"` give `rt-r-size-2`, or `md:rt-r-size-2`
for a responsive value), and paints accent colours through `data-accent-color`: a
dialog, a toast or a conditional badge that is not in the prerendered HTML would lose
its style. This module reads the bundles for the prop definitions (class prefix and
default), for the values the code passes to those props, and for the colours it
names, and returns the class names to keep and the accent colours that no code uses.
Plain functions over text: no reflex, no node.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Radix Themes 3 accent colours (its `accentColor` prop values, "gray" aside: always kept).
ACCENT_COLOURS = [
    "tomato",
    "red",
    "ruby",
    "crimson",
    "pink",
    "plum",
    "purple",
    "violet",
    "iris",
    "indigo",
    "blue",
    "cyan",
    "teal",
    "jade",
    "green",
    "grass",
    "brown",
    "orange",
    "sky",
    "mint",
    "lime",
    "yellow",
    "amber",
    "gold",
    "bronze",
]
# Its gray scales (`grayColor`), "gray" aside.
GRAYS = ("mauve", "slate", "sage", "olive", "sand")
# Radix Themes' `parseValue` functions turn a few prop values into other class suffixes.
PARSED_VALUES = {
    "between": ("space-between",),
    "around": ("space-around",),
    "evenly": ("space-evenly",),
    "start": ("top", "left"),
    "center": ("middle",),
    "end": ("bottom", "right"),
    "left": ("start",),
    "right": ("end",),
    "initial": ("flex", "block"),
    "current": ("inset",),
}
# Radix Themes controls that render no other family and that no other family renders: when
# the compiled pages import none of a family's components, its class names, still in the
# shared bundle, are not on any page. Family -> the class prefixes of its rules.
STANDALONE_FAMILIES = {
    "Switch": ("rt-Switch",),
    "Slider": ("rt-Slider",),
    "Checkbox": ("rt-Checkbox", "rt-BaseCheckbox"),
    "Radio": ("rt-Radio", "rt-BaseRadio"),
    "SegmentedControl": ("rt-SegmentedControl",),
    "Progress": ("rt-Progress",),
    "Avatar": ("rt-Avatar",),
    "Kbd": ("rt-Kbd",),
    "Skeleton": ("rt-Skeleton",),
}
_THEMES_IMPORT = re.compile(r"import\s*\{([^}]*)\}\s*from\s*[\"']@radix-ui/themes[^\"']*[\"']")
# The props that paint through `data-accent-color` (Reflex's `color_scheme` becomes `color`).
COLOUR_KEYS = ("color", "accentColor")

_PROP_DEF = re.compile(r"\b(\w+):\{type:`[^`]*`([^{}]*)\}")
_CLASS_NAME = re.compile(r"className:`([\w-]+)`")
_DEFAULT = re.compile(r"default:`([^`$]*)`")
_LITERAL = re.compile(r"`([^`$\\]*)`|\"([^\"\\]*)\"|(?<![\w.$])(-?\d+)(?![\w.])")
_BREAKPOINT_KEY = re.compile(r"(?<![\w$])(xs|sm|md|lg|xl):")
_EXPRESSION_LIMIT = 600


def themes_imports(sources: Iterable[str]) -> set[str]:
    """The names the compiled pages import from `@radix-ui/themes` (`Dialog`, `TextField`...)."""
    names: set[str] = set()
    for source in sources:
        for group in _THEMES_IMPORT.findall(source):
            names.update(item.split(" as ")[0].strip() for item in group.split(",") if item.strip())
    return names


def unused_families(imported: set[str]) -> set[str]:
    """The class prefixes of the standalone families that no imported component belongs to."""
    return {
        prefix
        for family, prefixes in STANDALONE_FAMILIES.items()
        if not any(name.startswith(family) for name in imported)
        for prefix in prefixes
    }


@dataclass
class PropDefinitions:
    """Radix Themes prop definitions found in the bundles: class prefixes and defaults per prop."""

    prefixes: dict[str, set[str]] = field(default_factory=dict)
    defaults: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RuntimeUsage:
    """What PurgeCSS cannot see in the text: the classes to keep, the accent colours to drop."""

    safelist: frozenset[str]
    unused_colours: frozenset[str]
    unused_prefixes: frozenset[str] = frozenset()


def prop_definitions(scripts: Iterable[str]) -> PropDefinitions:
    """The prop definitions (`size:{type:`enum`,className:`rt-r-size`,default:`2`,...}`)."""
    found = PropDefinitions()
    for script in scripts:
        for prop, body in _PROP_DEF.findall(script):
            prefix = _CLASS_NAME.search(body)
            if prefix is None or not prefix.group(1).startswith("rt-"):
                continue
            found.prefixes.setdefault(prop, set()).add(prefix.group(1))
            default = _DEFAULT.search(body)
            if default:
                found.defaults.setdefault(prop, set()).add(default.group(1))
    return found


def expression_after(script: str, start: int) -> str:
    """The JavaScript expression starting at `start`, up to its top-level `,`, `}`, `)` or `;`."""
    depth, index, end = 0, start, min(len(script), start + _EXPRESSION_LIMIT)
    while index < end:
        char = script[index]
        if char in "`\"'":
            close = script.find(char, index + 1)
            while close != -1 and script[close - 1] == "\\":
                close = script.find(char, close + 1)
            if close == -1:
                break
            index = close + 1
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif char in ",;" and depth == 0:
            break
        index += 1
    return script[start:index]


def literals(expression: str) -> set[str]:
    """The string and integer literals of an expression (`a?`amber`:`blue`` gives both)."""
    return {next(group for group in match if group) for match in _LITERAL.findall(expression) if any(match)}


@dataclass
class PassedValues:
    """Per prop, the literals the code passes to it; for responsive values, per breakpoint too."""

    plain: dict[str, set[str]] = field(default_factory=dict)
    responsive: dict[str, dict[str, set[str]]] = field(default_factory=dict)


def values_passed(scripts: Iterable[str], props: Iterable[str]) -> PassedValues:
    """Every literal the code passes to `props`; a responsive value (`{initial:`1`,sm:`2`}`)
    counts for its breakpoints too."""
    names = sorted(set(props), key=len, reverse=True)
    found = PassedValues()
    if not names:
        return found
    key = re.compile(r"(?<![\w$.])(" + "|".join(map(re.escape, names)) + r"):(?!\{type:)")
    for script in scripts:
        for match in key.finditer(script):
            expression = expression_after(script, match.end())
            values = literals(expression)
            found.plain.setdefault(match.group(1), set()).update(values)
            if expression.lstrip("(").startswith("{"):
                for breakpoint in _BREAKPOINT_KEY.findall(expression):
                    by_breakpoint = found.responsive.setdefault(match.group(1), {})
                    by_breakpoint.setdefault(breakpoint, set()).update(values)
    return found


def _suffixes(values: set[str]) -> set[str]:
    parsed = {result for value in values for result in PARSED_VALUES.get(value, ())}
    return {suffix for suffix in values | parsed if re.fullmatch(r"-?[\w-]+", suffix)}


def _class_name(prefix: str, suffix: str) -> str:
    """Radix Themes' name for a prop value: a negative value moves its minus to the front."""
    return f"-{prefix}-{suffix[1:]}" if suffix.startswith("-") else f"{prefix}-{suffix}"


def runtime_classes(definitions: PropDefinitions, passed: PassedValues) -> set[str]:
    """Every class Radix Themes may build from the props' prefixes and the values passed or defaulted."""
    classes: set[str] = set()
    for prop, prefixes in definitions.prefixes.items():
        plain = _suffixes(passed.plain.get(prop, set()) | definitions.defaults.get(prop, set()))
        responsive = {bp: _suffixes(values) for bp, values in passed.responsive.get(prop, {}).items()}
        for prefix in prefixes:
            classes.update(_class_name(prefix, suffix) for suffix in plain)
            for breakpoint, suffixes in responsive.items():
                classes.update(f"{breakpoint}:{_class_name(prefix, suffix)}" for suffix in suffixes)
    return classes


def runtime_usage(
    scripts: list[str], *, theme_accent: str, theme_gray: str, sources: list[str] | None = None
) -> RuntimeUsage:
    """The classes to keep although no text names them, and the colours no code uses.

    Args:
        scripts: the text of every bundle.
        theme_accent: the theme's accent colour.
        theme_gray: the theme's gray (Radix pairs one with each accent: slate for indigo);
            only the theme sets `data-gray-color`, so the other grays go.
        sources: the compiled pages (`.web/app`...), for the Radix Themes components they
            import; None keeps every family.
    """
    definitions = prop_definitions(scripts)
    passed = values_passed(scripts, [*definitions.prefixes, *COLOUR_KEYS])
    colours = {theme_accent, "gray"}
    for colour_key in COLOUR_KEYS:
        colours |= passed.plain.get(colour_key, set())
    unused = (set(ACCENT_COLOURS) - colours) | (set(GRAYS) - {theme_gray})
    return RuntimeUsage(
        safelist=frozenset(runtime_classes(definitions, passed)),
        unused_colours=frozenset(unused),
        unused_prefixes=frozenset(unused_families(themes_imports(sources)) if sources is not None else ()),
    )
