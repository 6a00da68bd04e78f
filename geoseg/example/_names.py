"""Fictional Swedish place and street names for the example city."""

from __future__ import annotations

import numpy as np

__all__ = ["area_names", "district_names", "island_names", "street_names"]

_STEMS = (
    "Björk", "Ek", "Gran", "Lind", "Rönn", "Asp", "Al", "Hassel", "Sälg", "Sjö", "Äng", "Mos",
    "Berg", "Hög", "Dal", "Kärr", "Måns", "Kål", "Får", "Hjort", "Räv", "Tran", "Svan", "Örn",
    "Lärk", "Tall", "Hag", "Kvarn", "Smed", "Präst", "Kyrk", "Bäck", "Strand", "Sand", "Sten",
    "Gull", "Tuv", "Ljung", "Myr", "Lövs", "Hälle", "Nyså", "Fågel", "Göt", "Skär", "Vass",
)  # fmt: skip
_SUFFIXES = (
    "ås", "dal", "torp", "hem", "vik", "backen", "stranden", "gården", "ängen", "höjden", "lund",
    "näs", "sund", "by", "kulla", "skogen", "berget", "hagen", "åsen", "fors", "lycke", "ryd",
)  # fmt: skip
_ISLAND_SUFFIXES = ("holmen", "ön", "skär", "ö", "holme")
_PREFIXES = ("Östra", "Västra", "Norra", "Södra", "Övre", "Nedre", "Stora", "Lilla", "Nya")
_STREET_SUFFIXES = ("gatan", "vägen", "gången", "stråket", "allén")
_STREET_STEMS = (
    "Björk", "Ek", "Gran", "Lind", "Rönn", "Asp", "Al", "Hassel", "Sjö", "Äng", "Mos", "Berg",
    "Dal", "Kärr", "Kål", "Får", "Hjort", "Räv", "Tran", "Svan", "Örn", "Lärk", "Tall", "Hag",
    "Kvarn", "Smed", "Präst", "Kyrk", "Bäck", "Strand", "Sand", "Sten", "Skol", "Torg", "Mölle",
    "Vävar", "Bagar", "Skomakar", "Fiskar", "Sågverks", "Tegel", "Brunns", "Park", "Hamn",
    "Lots", "Båtsmans", "Repslagar", "Glasbruks", "Gästgivar", "Kopparslagar", "Humle", "Äppel",
    "Päron", "Plommon", "Körsbärs", "Syren", "Jasmin", "Vallmo", "Blåklints", "Prästkrage",
)  # fmt: skip


def district_names() -> dict[str, str]:
    """District codes and names (``"1"``..``"4"``)."""
    return {"1": "Centrum", "2": "Nordost", "3": "Sydväst", "4": "Norra Älvstranden"}


def area_names(n: int, rng: np.random.Generator, *, taken: set[str] | None = None) -> list[str]:
    """``n`` unique mainland area names such as ``"Östra Kålltorp"`` or ``"Björkås"``."""
    taken = set() if taken is None else taken
    base = [s + x for s in _STEMS for x in _SUFFIXES]
    order = rng.permutation(len(base))
    prefixed = rng.random(len(base)) < 0.25
    out: list[str] = []
    rounds = 0
    while len(out) < n:
        for k, i in enumerate(order):
            name = base[i]
            if prefixed[k] or rounds > 0:
                name = f"{_PREFIXES[(k + rounds) % len(_PREFIXES)]} {name}"
            if rounds > len(_PREFIXES):
                name = f"{name} {rounds}"
            if name in taken:
                continue
            taken.add(name)
            out.append(name)
            if len(out) == n:
                break
        rounds += 1
    return out


def island_names(n: int, rng: np.random.Generator, *, taken: set[str]) -> list[str]:
    """``n`` unique island names such as ``"Tallskär"``."""
    out: list[str] = []
    stems = rng.permutation(len(_STEMS))
    k = 0
    while len(out) < n:
        name = _STEMS[stems[k % len(_STEMS)]] + _ISLAND_SUFFIXES[k % len(_ISLAND_SUFFIXES)]
        if k >= len(_STEMS):
            name = f"{name} {k // len(_STEMS) + 1}"
        k += 1
        if name in taken:
            continue
        taken.add(name)
        out.append(name)
    return out


def street_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` street names (repeating once all combinations are used, as real cities do)."""
    combos = [s + x for s in _STREET_STEMS for x in _STREET_SUFFIXES]
    order = rng.permutation(len(combos))
    return [combos[order[i % len(combos)]] for i in range(n)]
