"""The catalog's settings (catalog/catalog.yaml), with contract.md's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_API_VERSION = "2026-10"


@dataclass(frozen=True, slots=True)
class Settings:
    name: str = "default"
    api_version: str = DEFAULT_API_VERSION
    store: str | None = None  # no default: see contract.md "Choosing the store"
    on_remove: str = "archive"  # archive | delete | ignore
    max_removals: int = 25
    publications: tuple[str, ...] = ()
    timeout: float = 30.0
    max_retries: int = 5

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Settings:
        """Settings from validated catalog.yaml data (absent keys keep their defaults)."""
        values: dict[str, Any] = {}
        for key in ("name", "api_version", "store", "on_remove"):
            if key in data:
                values[key] = str(data[key])
        for key in ("max_removals", "max_retries"):
            if key in data:
                values[key] = int(data[key])
        if "timeout" in data:
            values["timeout"] = float(data["timeout"])
        if "publications" in data:
            values["publications"] = tuple(dict.fromkeys(str(p) for p in data["publications"]))
        return cls(**values)
