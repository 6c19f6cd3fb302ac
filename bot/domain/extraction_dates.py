"""When a plan happens: "next week", "el viernes", "12 de diciembre", resolved to the day they name.

Expressions are read in folded text (lower case, accents off, one character for one), as
`extraction` folds it, so a position found here also cuts the original sentence.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

TimeExpression = tuple[tuple[int, int], date | None]  # where a time expression is, and the day it names

_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday "
    "lunes martes miercoles jueves viernes sabado domingo"
).split()
_MONTHS = {
    name: number % 12 + 1
    for names in (
        "january february march april may june july august september october november december",
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "jan feb mar apr may jun jul aug sep oct nov dec",
        "_ _ _ _ _ _ _ _ sept _ _ dic",
    )
    for number, name in enumerate(names.split())
    if name != "_"
}
_COUNTS = {
    word: number
    for number, words in enumerate(["", "a an one un una uno", "two dos", "three tres", "four cuatro",
                                    "five cinco", "six seis", "seven siete", "eight ocho", "nine nueve",
                                    "ten diez"])
    for word in words.split()
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WHEN = re.compile(
    rf"""\b(?:(?P<after_tomorrow>pasado\ manana|the\ day\ after\ tomorrow)
    |(?P<tomorrow>tomorrow|tmrw|(?<!la\ )(?<!esta\ )manana)
    |(?P<part>(?:por|de)\ la\ (?:manana|tarde|noche)|in\ the\ (?:morning|afternoon|evening)|at\ night)
    |(?P<today>today|tonight|hoy|esta\ noche|esta\ tarde|this\ (?:afternoon|evening))
    |(?P<next_weekend>next\ weekend|el\ (?:finde|fin\ de\ semana)\ que\ viene
        |el\ proximo\ (?:finde|fin\ de\ semana))
    |(?P<weekend>(?:this\ |este\ |el\ )?(?:weekend|finde|fin\ de\ semana))
    |(?P<next_week>next\ week|la\ semana\ (?:que\ viene|proxima)|la\ proxima\ semana)
    |(?P<next_month>(?:the\ )?(?:next|following)\ month|the\ month\ after|el\ mes\ (?:que\ viene|proximo|siguiente)
        |el\ proximo\ mes|al\ mes\ siguiente)
    |(?P<next_year>next\ year|el\ ano\ (?:que\ viene|proximo)|el\ proximo\ ano)
    |(?:in|en|dentro\ de)\ (?P<count>\d{{1,2}}|{"|".join(_COUNTS)})\ (?P<unit>days?|weeks?|months?|dias?|semanas?|mes|meses)
    |(?:(?:on|the|el|para\ el)\ )?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\ (?:de\ |of\ )?(?P<month>{_MONTH})\b
        \.?(?:,?\ (?:de\ )?(?P<year>\d{{4}}))?
    |(?:on\ )?(?P<month_first>{_MONTH})\.?\ (?P<day_after>\d{{1,2}})(?:st|nd|rd|th)?
        (?:,?\ (?P<year_after>\d{{4}}))?
    |(?:(?:on|this|next|coming|este|el|el\ proximo|para\ el)\ )?(?P<weekday>{"|".join(_WEEKDAYS)})
        (?:\ que\ viene|\ proximo)?
    )\b""",
    re.X,
)
# Every expression above holds one of these words: a set look-up spares most sentences the scan.
_TIME_WORDS = frozenset(
    [*_WEEKDAYS, *_MONTHS] + "tomorrow tmrw manana today tonight hoy noche tarde morning afternoon "
    "evening night weekend finde fin week weeks semana semanas month months mes meses year ano day days dia "
    "dias".split()
)
_WORD = re.compile(r"[^\W_]+")


def time_expressions(folded: str, today: date) -> list[TimeExpression]:
    """Every time expression in a folded sentence, with the day it names counted from `today`."""
    timed = not _TIME_WORDS.isdisjoint(_WORD.findall(folded))
    return [(m.span(), _resolve(m.groupdict(), today)) for m in _WHEN.finditer(folded)] if timed else []


def _resolve(found: dict[str, str | None], today: date) -> date | None:
    """The day one time expression names, counted from `today`; None for "por la mañana"."""
    g = {name: text for name, text in found.items() if text}
    weekday = today.weekday()
    saturday = today + timedelta((5 - weekday) % 7 if weekday < 5 else 0)  # a weekend day is this one
    fixed = {
        "after_tomorrow": today + timedelta(2), "tomorrow": today + timedelta(1), "today": today,
        "weekend": saturday, "next_weekend": today + timedelta(12 - weekday),
        "next_week": today + timedelta(7 - weekday),
        "next_month": date(today.year + today.month // 12, today.month % 12 + 1, 1),
        "next_year": date(today.year + 1, 1, 1),
    }
    for name, day in fixed.items():
        if name in g:
            return day
    if "weekday" in g:
        return today + timedelta((_WEEKDAYS.index(g["weekday"]) % 7 - weekday) % 7 or 7)
    if "unit" in g:
        count = int(g["count"]) if g["count"].isdigit() else _COUNTS[g["count"]]
        if g["unit"].startswith("m"):  # "in two months", "en un mes": the same day, that many months on
            return _months_on(today, count)
        return today + timedelta(count * (7 if g["unit"].startswith(("w", "s")) else 1))
    month, day = g.get("month", g.get("month_first")), g.get("day", g.get("day_after"))
    if not (month and day):
        return None
    year = g.get("year", g.get("year_after"))
    return _calendar_day(int(year) if year else None, _MONTHS[month], int(day), today)


def _months_on(today: date, count: int) -> date:
    """The same day `count` months later, or that month's last day: in a month from 31 January is 28 February."""
    month = today.month - 1 + count
    year, month = today.year + month // 12, month % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(today.day, (following - timedelta(1)).day))


def _calendar_day(year: int | None, month: int, day: int, today: date) -> date | None:
    """A day and month without a year is the next one to come."""
    try:
        found = date(year or today.year, month, day)
        return found if year or found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None  # "31 de febrero"
