"""Which writing systems a name is written in, so that "ada" with a Cyrillic a (U+0430) cannot pass for "ada".

The rule is Unicode's (UTS #39, section 5.2, the "Highly Restrictive" level): a name's letters are of one script, or
of one of the mixes Japanese, Chinese and Korean write with (each also with Latin). Characters every script shares
(digits 0-9, punctuation, symbols, emoji: script Common) and combining marks (Inherited) go with any script, and a
character used by several scripts (its Script_Extensions, such as the kana prolonged sound mark) counts as any of
them. A name in one script that only looks like another (an all-Cyrillic "ace", U+0430 U+0441 U+0435) is not
refused: it is a name in that script.

The character data comes from the `regex` module: a C extension kept to the newest Unicode version (it reads
Script_Extensions, Default_Ignorable_Code_Point and Extended_Pictographic, which the standard library's unicodedata
does not), with wheels for every Lambda architecture. We chose it over `confusable-homoglyphs`, whose UTS #39
tables date from an old Unicode version and know each character's Script but not its Script_Extensions (so it calls
Japanese, or a Latin letter with a combining mark, "mixed"). The Highly Restrictive level refuses every mixed-script
confusable that the confusables table (confusables.txt) would flag, and any other mix of scripts as well: a rule a
player can read in one sentence, with no skeleton table to keep fresh.
"""

from __future__ import annotations

from functools import lru_cache

import regex

# The mixes of scripts a name may use besides one script alone (UTS #39 Highly Restrictive).
ALLOWED_MIXES = (
    frozenset({"Latin", "Han", "Hiragana", "Katakana"}),  # Japanese
    frozenset({"Latin", "Han", "Bopomofo"}),  # Chinese with zhuyin
    frozenset({"Latin", "Han", "Hangul"}),  # Korean
)
UNKNOWN = "unassigned or private-use"  # Unicode's script Unknown, and any script newer than the list below

# Unicode's scripts by their long names (PropertyValueAliases.txt), less Common and Inherited, which go with any.
# The regex module has no public way to list them or to name a character's scripts; a unit test checks this list
# against the module's own table, so an upgrade that brings a new script says so.
SCRIPTS = (
    *("Latin", "Greek", "Coptic", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Syriac", "Thaana", "Nko", "Samaritan"),
    *("Mandaic", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada"),
    *("Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar", "Georgian", "Hangul", "Ethiopic", "Cherokee"),
    *("Canadian_Aboriginal", "Ogham", "Runic", "Tagalog", "Hanunoo", "Buhid", "Tagbanwa", "Khmer", "Mongolian"),
    *("Limbu", "Tai_Le", "New_Tai_Lue", "Buginese", "Tai_Tham", "Balinese", "Sundanese", "Batak", "Lepcha"),
    *("Ol_Chiki", "Braille", "Glagolitic", "Tifinagh", "Han", "Hiragana", "Katakana", "Bopomofo", "Yi", "Lisu"),
    *("Vai", "Bamum", "Syloti_Nagri", "Phags_Pa", "Saurashtra", "Kayah_Li", "Rejang", "Javanese", "Cham"),
    *("Tai_Viet", "Meetei_Mayek", "Linear_B", "Lycian", "Carian", "Old_Italic", "Gothic", "Old_Permic", "Ugaritic"),
    *("Old_Persian", "Deseret", "Shavian", "Osmanya", "Osage", "Elbasan", "Caucasian_Albanian", "Vithkuqi"),
    *("Todhri", "Linear_A", "Cypriot", "Imperial_Aramaic", "Palmyrene", "Nabataean", "Hatran", "Phoenician"),
    *("Lydian", "Sidetic", "Meroitic_Hieroglyphs", "Meroitic_Cursive", "Kharoshthi", "Old_South_Arabian"),
    *("Old_North_Arabian", "Manichaean", "Avestan", "Inscriptional_Parthian", "Inscriptional_Pahlavi"),
    *("Psalter_Pahlavi", "Old_Turkic", "Old_Hungarian", "Hanifi_Rohingya", "Garay", "Yezidi", "Old_Sogdian"),
    *("Sogdian", "Old_Uyghur", "Chorasmian", "Elymaic", "Brahmi", "Kaithi", "Sora_Sompeng", "Chakma", "Mahajani"),
    *("Sharada", "Khojki", "Multani", "Khudawadi", "Grantha", "Tulu_Tigalari", "Newa", "Tirhuta", "Siddham"),
    *("Modi", "Takri", "Ahom", "Dogra", "Warang_Citi", "Dives_Akuru", "Nandinagari", "Zanabazar_Square"),
    *("Soyombo", "Pau_Cin_Hau", "Sunuwar", "Bhaiksuki", "Marchen", "Masaram_Gondi", "Gunjala_Gondi"),
    *("Tolong_Siki", "Makasar", "Kawi", "Cuneiform", "Proto_Cuneiform", "Cypro_Minoan", "Egyptian_Hieroglyphs"),
    *("Anatolian_Hieroglyphs", "Gurung_Khema", "Mro", "Tangsa", "Bassa_Vah", "Pahawh_Hmong", "Kirat_Rai"),
    *("Medefaidrin", "Beria_Erfe", "Miao", "Tangut", "Nushu", "Khitan_Small_Script", "Jurchen", "Duployan"),
    *("SignWriting", "Nyiakeng_Puachue_Hmong", "Toto", "Wancho", "Nag_Mundari", "Ol_Onal", "Tai_Yo"),
    *("Mende_Kikakui", "Adlam", "Seal"),
)
_ANY_SCRIPT = regex.compile(r"[\p{scx=Common}\p{scx=Inherited}]")
_SCRIPT_PATTERNS = tuple((name, regex.compile(rf"\p{{scx={name}}}")) for name in SCRIPTS)


def mixed_scripts(name: str) -> tuple[str, ...]:
    """The scripts of a name that mixes them beyond what one name may (in order of appearance, each shown as one
    script), or () for a name that keeps to one script or an allowed mix."""
    if name.isascii():  # ASCII letters are all Latin; the rest of ASCII is Common
        return ()
    used = [scripts for scripts in map(char_scripts, name) if scripts]
    if not used or frozenset.intersection(*used):
        return ()
    if any(all(scripts & mix for scripts in used) for mix in ALLOWED_MIXES):
        return ()
    return tuple(dict.fromkeys(min(scripts) for scripts in used))


@lru_cache(maxsize=4096)  # a player's name repeats on every submission; each character is looked up once
def char_scripts(char: str) -> frozenset[str]:
    """The scripts a character is written in (its Script_Extensions), by display name; empty for one that goes with
    any script (Common, Inherited)."""
    if _ANY_SCRIPT.match(char):
        return frozenset()
    found = frozenset(name.replace("_", " ") for name, pattern in _SCRIPT_PATTERNS if pattern.match(char))
    return found or frozenset({UNKNOWN})
