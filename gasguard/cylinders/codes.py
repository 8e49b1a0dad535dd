"""Cylinder codes (气瓶码): generation, the check character, and parsing scanned content.

Format: ``GG1-<region6>-<12 random characters>-<check>``, e.g. ``GG1-440305-7KQ2M9XH4T3D-R``.

- ``GG1`` names the scheme and its version.
- ``<region6>`` is the county code of the owner when the code was issued (informative only;
  a transfer does not change the code).
- 12 characters drawn with ``secrets`` from Crockford's 32-symbol alphabet (no I, L, O, U):
  60 random bits, so codes cannot be guessed or enumerated.
- ``<check>`` is a Damm check character over region + random part (quasigroup 2x ⊕ y in
  GF(32)): every single wrong character and every swap of two adjacent characters is caught
  before a lookup.

The QR on the label holds the public path ``/c/<code>`` prefixed with the deployment's host
when printed (``GASGUARD_PUBLIC_BASE_URL``), so any phone opens the public page; scanners at the
gate may send either the bare code or the whole URL — ``parse_scanned`` accepts both.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_BYTE_TO_SYMBOL = bytes(ord(ALPHABET[b & 31]) for b in range(256))
RANDOM_LENGTH = 12
PREFIX = "GG1"
CODE_RE = re.compile(r"^GG1-(\d{6})-([0-9A-HJKMNP-TV-Z]{12})-([0-9A-HJKMNP-TV-Z])$")


def _gf32_double(x: int) -> int:
    """x·2 in GF(32) with the primitive polynomial x^5 + x^2 + 1."""
    x <<= 1
    return x ^ 0b100101 if x & 0b100000 else x


def check_char(body: str) -> str:
    """The Damm check character of `body` over the quasigroup x∘y = 2x ⊕ y in GF(32).

    That quasigroup is weakly totally anti-symmetric, so every single wrong character and every
    swap of two adjacent characters (including the check character itself) changes the result
    — unlike Luhn mod N, which misses swaps of the first and last symbols ("0Z" ↔ "Z0").
    """
    interim = 0
    for ch in body:
        interim = _gf32_double(interim) ^ _INDEX[ch]
    return ALPHABET[_gf32_double(interim)]


def make_code(region_code: str, *, rng=None) -> str:
    """A new random code for an owner in `region_code` (first 6 digits used).

    Real codes use `secrets`; the demo city passes its seeded `rng` so it is reproducible.
    """
    region6 = (region_code or "000000")[:6].ljust(6, "0")
    if rng is not None:
        random_part = "".join(rng.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    else:
        # 256 is a multiple of 32, so the low 5 bits of each OS random byte are uniform.
        random_part = secrets.token_bytes(RANDOM_LENGTH).translate(_BYTE_TO_SYMBOL).decode()
    return f"{PREFIX}-{region6}-{random_part}-{check_char(region6 + random_part)}"


def normalise(raw: str) -> str:
    """Scanned text → candidate code: strip a URL/path, spaces; upper-case; map look-alikes."""
    text = (raw or "").strip()
    parts = re.split(r"/c/", text, flags=re.IGNORECASE)
    text = parts[-1]
    text = text.strip("/ \t\r\n").split("?", 1)[0].upper()
    # Crockford decoding: O→0, I/L→1 (what people mistype from a printed label).
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def code_error(code: str) -> str | None:
    """None if `code` is a well-formed code with a correct check character, else the reason."""
    m = CODE_RE.match(code or "")
    if not m:
        return "气瓶码格式错误（应为 GG1-六位区划-12位编码-校验位）"
    region6, random_part, check = m.groups()
    if check_char(region6 + random_part) != check:
        return "气瓶码校验位不符（可能抄错或伪造）"
    return None


def parse_scanned(raw: str) -> tuple[str, str | None]:
    """(normalised code, error or None) for whatever a scanner or a person typed."""
    code = normalise(raw)
    return code, code_error(code)
