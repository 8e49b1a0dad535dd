"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character.

Positions: 1 登记管理部门码, 2 机构类别码, 3–8 登记管理机关行政区划码, 9–17 主体标识码
(组织机构代码), 18 校验码. Characters come from 0-9 and A-Z without I, O, Z, S, V.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def uscc_check_char(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """None if valid, else a Chinese message saying what is wrong."""
    if not code:
        return "统一社会信用代码不能为空"
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return f"统一社会信用代码含有非法字符：{''.join(bad)}"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3–8位应为行政区划代码（数字）"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：应为{expected}"
    return None


def normalise_uscc(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def make_uscc(region6: str, serial: int, *, kind: str = "91") -> str:
    """A well-formed code for fictional enterprises (demo data and tests): kind + region + serial."""
    body = f"{kind}{region6}{serial:09d}"[:17]
    body = "".join(ch if ch in _VALUE else "0" for ch in body)
    return body + uscc_check_char(body)
