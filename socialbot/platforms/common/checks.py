"""Checks every platform makes the same way."""

from __future__ import annotations

from socialbot.errors import Problem
from socialbot.rendered import ImageAsset


def check_image(
    where: str, image: ImageAsset, formats: tuple[str, ...], limit: int, what: str
) -> list[Problem]:
    problems = []
    if image.format not in formats:
        problems.append(Problem(where, f"{what}格式为 {image.format}，只能用 {'/'.join(formats)}"))
    if len(image.data) > limit:
        problems.append(Problem(where, f"{what}有 {len(image.data)} 字节，超过上限 {limit} 字节"))
    return problems
