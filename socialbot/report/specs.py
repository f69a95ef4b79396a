"""The report's one look at the platform registry: the specs of the platforms it counts.

Everything else in ``socialbot.report`` reads the specs a ``Figures`` value carries
(``Figures.platforms``), in registry order, and names no platform.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from socialbot.report_spec import ReportSpec


def registered() -> tuple[ReportSpec, ...]:
    """The registered platforms' report specs, in registry order (a platform registered
    later, such as a test's, is included from then on)."""
    from socialbot.platforms import PLATFORMS

    return tuple(p.report for p in PLATFORMS.values() if p.report is not None)


class _Metrics(Mapping[str, tuple[str, ...]]):
    """Platform name → the metrics its items may carry, read from the registry each time."""

    def _now(self) -> dict[str, tuple[str, ...]]:
        return {spec.platform: spec.metric_names for spec in registered()}

    def __getitem__(self, platform: str) -> tuple[str, ...]:
        return self._now()[platform]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


METRICS: Mapping[str, tuple[str, ...]] = _Metrics()
