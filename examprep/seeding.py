"""Seeds, random generators and instance codes.

An instance is (full problem id, seed, difficulty). Its *instance code* is a short Crockford base-32 string that
packs a 24-bit hash of the id, the difficulty and the seed, plus a Luhn mod 32 check symbol that catches typos.
Decoding looks the hash up among the registered ids, so a code works on any machine for as long as that version
is registered.
"""

from __future__ import annotations

import hashlib
import hmac
import zlib
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from examprep.errors import InvalidCodeError

DIFFICULTIES = ("easy", "medium", "hard")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}
MAX_SEED = 2**62
T = TypeVar("T")


def id_hash(problem_id: str) -> int:
    """A stable 24-bit hash of a full problem id."""
    return zlib.crc32(problem_id.encode()) & 0xFFFFFF


def rng_for(problem_id: str, seed: int, difficulty: str, secret: bytes | None = None) -> np.random.Generator:
    """The one random generator for an instance; same (id, seed, difficulty) -> same stream on any machine.
    With a secret, the stream comes from an HMAC of the secret instead (a secret instance)."""
    text = f"{problem_id}|{seed}|{difficulty}".encode()
    if secret is None:
        digest = hashlib.sha256(text).digest()
    else:
        digest = hmac.new(secret, b"examprep-instance|" + text, hashlib.sha256).digest()
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest[:16], "little")))


def check_seed(seed: int) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < MAX_SEED:
        raise InvalidCodeError(f"seed must be an integer from 0 to {MAX_SEED - 1}, got {seed!r}")
    return seed


def _digits(problem_id: str, seed: int, difficulty: str) -> str:
    check_seed(seed)
    n = (((seed << 2) | DIFFICULTIES.index(difficulty)) << 24) | id_hash(problem_id)
    digits = ""
    while True:
        n, r = divmod(n, 32)
        digits = _ALPHABET[r] + digits
        if n == 0:
            break
    return digits.rjust(6, "0")


def _grouped(body: str) -> str:
    return "-".join(body[i : i + 4] for i in range(0, len(body), 4))


def encode(problem_id: str, seed: int, difficulty: str, secret: bytes | None = None) -> str:
    """The instance code of (id, seed, difficulty), e.g. ``3F8K-2QD7``. With a secret, the secret code: it starts
    with ``U`` (a symbol no public code uses, so the two kinds never collide) and carries a tag of the secret."""
    digits = _digits(problem_id, seed, difficulty)
    if secret is None:
        return _grouped(digits + _luhn_check(digits))
    body = digits + _tag(secret, digits)
    return _grouped(SECRET_MARK + body + _luhn_check(body))


SECRET_MARK = "U"  # not a Crockford symbol: never the first symbol of a public code
_TAG = 4  # symbols of HMAC tag (20 bits): a code opened with another secret is refused, not silently regenerated


def _tag(secret: bytes, digits: str) -> str:
    d = hmac.new(secret, b"examprep-code|" + digits.encode(), hashlib.sha256).digest()
    n = int.from_bytes(d[:4], "big")
    return "".join(_ALPHABET[(n >> (5 * i)) & 31] for i in range(_TAG))


def is_secret(code: str) -> bool:
    """True for a secret code (it starts with ``U``)."""
    return code.strip().upper().startswith(SECRET_MARK)


def _value(digits: str) -> int:
    n = 0
    for c in digits:
        n = n * 32 + _DECODE[c]
    return n


def _luhn_check(digits: str) -> str:
    """Luhn mod 32 check symbol: catches every single-symbol typo and adjacent swaps (except 0 <-> Z)."""
    total, factor = 0, 2
    for c in reversed(digits):
        add = factor * _DECODE[c]
        total += add // 32 + add % 32
        factor = 3 - factor
    return _ALPHABET[(32 - total % 32) % 32]


def looks_like_code(text: str) -> bool:
    """True when ``text`` is shaped like an instance code rather than a problem id."""
    return "/" not in text and len(text.replace("-", "")) >= 7


def decode(code: str, secret: bytes | None = None) -> tuple[int, int, str]:
    """Split a code into (id hash, seed, difficulty); raises InvalidCodeError on any malformation. A secret code
    needs the secret it was made with."""
    body = code.strip().upper().replace("-", "").replace(" ", "")
    if body.startswith(SECRET_MARK):
        if secret is None:
            raise InvalidCodeError("this code is secret: set EXAMPREP_SECRET (or pass --secret-file) to open it")
        body = body[1:]
        if len(body) < 7 + _TAG or len(body) > 24 + _TAG or any(c not in _DECODE for c in body):
            raise InvalidCodeError(f"{code[:40]!r} is not a secret instance code")
        if _luhn_check(body[:-1]) != body[-1]:
            raise InvalidCodeError(f"instance code {code!r} fails its checksum; check for a typo")
        digits, tag = body[:-1 - _TAG], body[-1 - _TAG:-1]
        digits = "".join(_ALPHABET[_DECODE[c]] for c in digits)
        if not hmac.compare_digest(_tag(secret, digits), "".join(_ALPHABET[_DECODE[c]] for c in tag)):
            raise InvalidCodeError(f"instance code {code!r} was made with another secret; set the EXAMPREP_SECRET "
                                   "it was made with")
        return _unpack(code, _value(digits))
    if len(body) < 7 or len(body) > 24:
        raise InvalidCodeError(f"{code!r} is not an instance code (codes look like '3F8K-2QD7')")
    digits, check = body[:-1], body[-1]
    if any(c not in _DECODE for c in digits):
        bad = next(c for c in digits if c not in _DECODE)
        raise InvalidCodeError(f"instance code {code!r} contains {bad!r}, which no code uses; check for a typo")
    n = _value(digits)
    if _luhn_check(digits) != check:
        raise InvalidCodeError(f"instance code {code!r} fails its checksum; check for a typo")
    return _unpack(code, n)


def _unpack(code: str, n: int) -> tuple[int, int, str]:
    h = n & 0xFFFFFF
    rest = n >> 24
    diff = rest & 3
    if diff >= len(DIFFICULTIES):
        raise InvalidCodeError(f"instance code {code!r} is malformed")
    return h, rest >> 2, DIFFICULTIES[diff]


def picker(rng: np.random.Generator) -> Callable[[Sequence[T]], T]:
    """``pick = picker(rng)``; ``pick(options)`` draws one option uniformly (one ``rng.integers`` call)."""
    return lambda options: options[int(rng.integers(len(options)))]


def canonical(code: str) -> str:
    """The code as :func:`encode` writes it (case, spaces, dashes and the look-alikes O, I, L normalised), so two
    spellings of one code compare equal. Raises InvalidCodeError when a symbol is not one codes use."""
    body = code.strip().upper().replace("-", "").replace(" ", "")
    try:
        body = "".join(_ALPHABET[_DECODE[c]] if c != "U" or i else c for i, c in enumerate(body))
    except KeyError:
        raise InvalidCodeError(f"{code[:40]!r} is not an instance code (codes look like '3F8K-2QD7')") from None
    return _grouped(body)
