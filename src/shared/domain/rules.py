"""The leaderboard's rules: what a valid board name, player name, score and page request are, and how scores read.

Pure functions with no I/O and no environment: the http layer's parse functions apply them to API Gateway events (a
broken rule raises InvalidInput, whose message names it), and the ports speak in the value types defined here (named
tuples: a page creates twenty per request).
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import Any, Literal, NamedTuple, get_args

import regex

from shared.domain.errors import InvalidInput
from shared.domain.periods import (
    DEFAULT_PERIODS,
    DEFAULT_TIME_ZONE,
    PeriodChoice,
    parse_periods,
    parse_time_zone,
)
from shared.domain.scripts import mixed_scripts

# Not "." or "..": clients and proxies resolve those path segments away, so such a board could never be reached.
LEADERBOARD_NAME = re.compile(r"(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}")
MAX_PLAYER_NAME_CHARS = 128
MAX_ABS_SCORE = 2**53  # beyond this, integers lose exactness in JavaScript clients (and in a double)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_RANK = 1_000_000_000  # far beyond any board Momento can hold; keeps ranks inside the protocol's int32
FORBIDDEN_CATEGORIES = {"Cc", "Cs"}  # control characters, and lone surrogates (not encodable as UTF-8)
# Spaces and line/paragraph separators, and format characters (zero-width space and joiners, BOM, bidi marks): a
# name made only of these shows as nothing at all.
INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cf"}
# Names are compared in Unicode's composed form: "José" typed as é (U+00E9) or as e + U+0301 is one player.
NAME_FORM: Literal["NFC"] = "NFC"
# Characters Unicode says a renderer may show as nothing (zero-width spaces and joiners, fillers, variation
# selectors, tags, bidi controls): in a name they make a second name that looks the same as the first.
DEFAULT_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
# ... except where emoji need them: a variation selector or a skin tone after an emoji, a tag sequence after one (the
# flags of Scotland and Wales), a zero-width joiner between two (the family 👨‍👩‍👧), and keycaps (1️⃣).
_EMOJI_PART = (
    r"(?:\p{Extended_Pictographic}[\uFE0E\uFE0F]?\p{Emoji_Modifier}?(?:[\U000E0020-\U000E007E]+\U000E007F)?"
    r"|[0-9#*]\uFE0F\u20E3)"
)
EMOJI_SEQUENCE = regex.compile(rf"{_EMOJI_PART}(?:\u200D{_EMOJI_PART})*")
# Shows as a blank although it is a symbol, not a space (neither a separator nor default-ignorable).
BLANK_SYMBOLS = frozenset("\u2800")  # BRAILLE PATTERN BLANK
DOT_SEGMENTS = (".", "..")  # clients and proxies resolve these path segments away
RANK_PARAMETERS = ("startRank", "endRank")
MAX_FRIENDS = 50
DEFAULT_AROUND = 5
MAX_AROUND = 50
# An increment is added to the total as an exact decimal: with |total| <= 2^53 (16 digits) and at most 12 digits
# after the point, every total fits in 28 significant digits, exact in DynamoDB (38) and in its local stand-in (28).
MAX_INCREMENT_DECIMALS = 12

Order = Literal["desc", "asc"]
Update = Literal["latest", "best", "increment"]
Ties = Literal["distinct", "shared"]
# The settings that decide how a board ranks, each one of a few values.
SETTING_VALUES: dict[str, tuple[str, ...]] = {
    "order": get_args(Order),
    "update": get_args(Update),
    "ties": get_args(Ties),
}
# Every setting, by its name in the API and the record: the ranking ones, then the seasons (periods.py).
SETTING_NAMES = (*SETTING_VALUES, "periods", "timeZone")
# The settings that decide how a write applies (which scores it keeps, in which periods): a change of one starts a
# new epoch of the board's settings, and a write made with an earlier epoch never lands on one made with a later.
WRITE_SETTINGS = frozenset({"order", "update", "periods", "timeZone"})


class PlayerRef(NamedTuple):
    leaderboard: str
    player: str
    period: PeriodChoice | None = None  # a read's ?period= (None: the board's first listed kind)


class Submission(NamedTuple):
    leaderboard: str
    player: str
    score: float
    exact: Decimal | None = None  # the score exactly as the body wrote it (an increment adds this, not the double)


class PageRequest(NamedTuple):
    leaderboard: str
    start_rank: int
    end_rank: int
    period: PeriodChoice | None = None


class BoardSettings(NamedTuple):
    """How a board ranks and keeps scores, and in which periods; a new board ranks as the original service did:
    higher first, the latest score, distinct ranks, all time only."""

    order: Order = "desc"
    update: Update = "latest"
    ties: Ties = "distinct"
    periods: tuple[str, ...] = DEFAULT_PERIODS  # the first is what a read without ?period= reads
    time_zone: str = DEFAULT_TIME_ZONE  # where days, weeks and months begin

    def as_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "update": self.update,
            "ties": self.ties,
            "periods": list(self.periods),
            "timeZone": self.time_zone,
        }


class SettingsChange(NamedTuple):
    leaderboard: str
    changes: dict[str, str | tuple[str, ...]]  # only the settings the request gave; the rest keep their value


class FriendsRequest(NamedTuple):
    leaderboard: str
    players: tuple[str, ...]  # distinct, in the order first given
    period: PeriodChoice | None = None


class AroundRequest(NamedTuple):
    leaderboard: str
    player: str
    each_side: int  # entries wanted above the player, and as many below
    period: PeriodChoice | None = None


class BoardRef(NamedTuple):
    leaderboard: str


class Standing(NamedTuple):
    score: float
    rank: int


class Entry(NamedTuple):
    rank: int
    player: str
    score: float


def settings_changes(body: object) -> dict[str, str | tuple[str, ...]]:
    """The settings a change names, each checked against its allowed values; the rest keep theirs."""
    if not isinstance(body, dict):
        raise InvalidInput('Request body must be a JSON object such as {"order": "asc"}.')
    changes: dict[str, str | tuple[str, ...]] = {}
    for name, value in body.items():
        if name == "periods":
            changes[name] = parse_periods(value)
        elif name == "timeZone":
            changes[name] = parse_time_zone(value)
        elif (allowed := SETTING_VALUES.get(name)) is None:
            raise InvalidInput(f"Unknown setting {name!r}: the settings are {', '.join(SETTING_NAMES)}.")
        elif value not in allowed:
            raise InvalidInput(f'"{name}" must be one of {", ".join(allowed)} (got {_shown(value)}).')
        else:
            changes[name] = value
    return changes


def increment(submission: Submission) -> Decimal:
    """An increment board's submitted score, exactly as written: at most MAX_INCREMENT_DECIMALS digits after the
    decimal point."""
    amount = submission.exact if submission.exact is not None else Decimal(repr(float(submission.score)))
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_INCREMENT_DECIMALS:
        raise InvalidInput(
            f'On an increment board "score" may have at most {MAX_INCREMENT_DECIMALS} digits after the decimal point '
            "(totals are kept exact)."
        )
    return amount


def leaderboard_name(raw: object) -> str:
    """The board's name, in NFC like a player's (of the non-ASCII names only the Kelvin sign, U+212A, becomes a
    letter allowed here: "K")."""
    if isinstance(raw, str):
        raw = unicodedata.normalize(NAME_FORM, raw)
    if not isinstance(raw, str) or not LEADERBOARD_NAME.fullmatch(raw):
        raise InvalidInput(
            "The leaderboard name must be 1-64 characters, each a letter, digit, '.', '_' or '-', "
            "and not '.' or '..' (which URLs resolve away)."
        )
    return raw


def player_name(raw: object) -> str:
    """A name a score submission gives, the one that puts a player on a board: in NFC, 1-128 characters (code
    points), any Unicode except control characters, and nothing that would let two players look alike: something
    visible in it, no space at either end ("ada" and "ada "), no invisible character ("ada" and "ada" + U+200B) but
    those emoji are made of, letters of one script or of an allowed mix ("ada" with a Cyrillic a; see scripts.py),
    and not "." or ".." (which URLs resolve away: such a player could never be read).

    API Gateway hands path parameters over URL-decoded: decoding again would turn a name holding '%41' into 'A'.
    """
    name = unicodedata.normalize(NAME_FORM, _name_as_first_ruled(raw))
    if len(name) > MAX_PLAYER_NAME_CHARS:  # a few characters (such as U+0958) are longer in NFC
        raise InvalidInput(f"The player name must be 1-{MAX_PLAYER_NAME_CHARS} characters (got {len(name)} in NFC).")
    if all(_shows_blank(char) for char in name):
        raise InvalidInput("The player name must have a visible character, not only spaces or invisible ones.")
    if name[0] in BLANK_SYMBOLS or name[-1] in BLANK_SYMBOLS:
        raise InvalidInput("The player name must not start or end with a space (or a blank such as U+2800).")
    if invisible := DEFAULT_IGNORABLE.findall(EMOJI_SEQUENCE.sub("", name)):
        shown = ", ".join(f"U+{ord(char):04X}" for char in dict.fromkeys(invisible))
        raise InvalidInput(
            f"The player name must not contain invisible characters ({shown}): the name would look the same without "
            "them. Only emoji may use joiners and variation selectors."
        )
    if name in DOT_SEGMENTS:
        raise InvalidInput("The player name must not be '.' or '..' (which URLs resolve away).")
    if scripts := mixed_scripts(name):
        mixed = " and ".join((", ".join(scripts[:-1]), scripts[-1]))
        raise InvalidInput(
            f"The player name mixes {mixed} letters that look alike across scripts: a name keeps to one script "
            "(Japanese, Chinese and Korean may mix theirs with Latin), with any digits, punctuation and emoji."
        )
    return name


def player_name_to_find(raw: object) -> str:
    """A name a read or a removal gives (a standing, around, friends, DELETE): any name the submissions of earlier
    versions accepted, so a player who joined under rules since tightened can still be read and removed.

    Such a name is looked up as given. A name the submission rules accept is looked up in NFC, as a submission would
    have stored it, so a decomposed "José" finds the player. What this cannot reach by name is a player stored in a
    form other than NFC before names were normalised (the name, given again, now means its NFC form): pages still
    list them, and they leave with their board.
    """
    name = _name_as_first_ruled(raw)
    try:
        return player_name(name)
    except InvalidInput:
        return name


def _name_as_first_ruled(raw: object) -> str:
    """The rules every name ever stored kept: 1-128 characters, no control character, something not a space or a
    format character, no space at either end."""
    if not isinstance(raw, str):
        raise InvalidInput("The player name is required.")
    if not 1 <= len(raw) <= MAX_PLAYER_NAME_CHARS:
        raise InvalidInput(f"The player name must be 1-{MAX_PLAYER_NAME_CHARS} characters (got {len(raw)}).")
    if any(unicodedata.category(char) in FORBIDDEN_CATEGORIES for char in raw):
        raise InvalidInput("The player name must not contain control characters.")
    if all(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in raw):
        raise InvalidInput("The player name must have a visible character, not only spaces or invisible ones.")
    if raw != raw.strip():
        raise InvalidInput("The player name must not start or end with a space.")
    return raw


def _shows_blank(char: str) -> bool:
    return (
        unicodedata.category(char) in INVISIBLE_CATEGORIES
        or char in BLANK_SYMBOLS
        or DEFAULT_IGNORABLE.match(char) is not None
    )


def exact_score(raw: object) -> tuple[float, Decimal]:
    """A submitted score as a double (how boards rank) and exactly as written (what an increment adds)."""
    # bool is a subclass of int in Python; JSON true/false is not a score.
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise InvalidInput(f'"score" must be a JSON number (got {_json_type(raw)}).')
    return _checked(raw)


def _checked(raw: float | Decimal) -> tuple[float, Decimal]:
    if isinstance(raw, Decimal | float) and not (raw.is_finite() if isinstance(raw, Decimal) else math.isfinite(raw)):
        raise InvalidInput('"score" must be a finite number.')
    exact = raw if isinstance(raw, Decimal) else Decimal(raw) if isinstance(raw, int) else Decimal(repr(raw))
    if abs(exact) > MAX_ABS_SCORE:
        raise InvalidInput(f'"score" must be between -{MAX_ABS_SCORE} and {MAX_ABS_SCORE} (2^53).')
    return float(raw), exact


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else _json_type(value)


def _json_type(value: object) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "a boolean"
        case str():
            return "a string"
        case list():
            return "an array"
        case dict():
            return "an object"
        case _:
            return type(value).__name__
