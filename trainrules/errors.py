"""The one base for errors about outside data that carry their message in Chinese and English."""

from __future__ import annotations

__all__ = ["BilingualError", "ComputeError"]


class BilingualError(Exception):
    """An error with a Chinese and an English message; ``str()`` gives the Chinese one.

    Attributes:
        message_zh: The message in Chinese.
        message_en: The same message in English.
    """

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        return self.message_zh


class ComputeError(BilingualError, ArithmeticError):
    """A policy expression that cannot be computed for one record (a division by 0, a rounding step of 0).

    ``field`` names the record value at fault where there is one (``lists.培训记录[2].级别``), else "".
    """

    def __init__(self, message_zh: str, message_en: str, field: str = "") -> None:
        super().__init__(message_zh, message_en)
        self.field = field
