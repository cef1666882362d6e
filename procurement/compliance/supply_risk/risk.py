"""Supply risk (供应风险监测) of an awarded lot, per region: pure arithmetic over plain values.

Inputs are what the contracts agreed (each winner's volume per region), what the winners
declared they can make (annual capacity), the backup supplier the award named per region
(RULES.md 3: 备供) and each winner's late-delivery rate month by month (RULES.md 4). Out come
the winners' concentration (HHI), capacity headroom, late trends, and a risk score with its
reasons in words. No database, no clock: the queries pass everything in."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from procurement.core.messages import Message
from procurement.core.money import round_places

# The Herfindahl-Hirschman index on its usual scale: the sum of the squared market shares in
# percent, 0 (many tiny suppliers) to 10,000 (one supplier has everything).
HHI_SCALE = 10_000
# Rule "highly concentrated" (the US merger guidelines' line on the same scale): a region whose
# HHI is at least this scores the concentration points.
HHI_HIGH = 2_500
# Rule "low headroom": a winner whose declared capacity exceeds its agreed volume by less than
# this share of that volume cannot absorb a neighbour's failure.
LOW_HEADROOM_SHARE = Decimal("0.10")
# Rule "backup with spare capacity" (RULES.md 3, 备供): a named backup counts only when its spare
# capacity covers at least this share of the region's agreed volume; below it the region is
# treated as without a backup (score and alert).
BACKUP_MIN_COVER = Decimal("0.10")
# Rule "rising late deliveries": over the last RISING_MONTHS months with order lines due, each
# month's late-delivery rate is above the month before, and the last is at least LATE_RATE_LIMIT.
# Only complete months count (the month in progress is shown, not judged).
RISING_MONTHS = 3
LATE_RATE_LIMIT = Decimal("0.10")
# Rule "supply risk score" (0-100, capped): the points each finding adds to a region's score.
POINTS_NO_BACKUP = 35
POINTS_BACKUP_WITHOUT_SPARE = 25
POINTS_BACKUP_SHORT = 10  # the backup's spare capacity is less than the region's agreed volume
POINTS_SINGLE_WINNER = 20
POINTS_CONCENTRATED = 10  # HHI at least HHI_HIGH with more than one winner
POINTS_LOW_HEADROOM = 15
POINTS_RISING_LATE = 15
SCORE_MAX = 100
# Rule "risk level": a score at least HIGH_SCORE is high, at least MEDIUM_SCORE medium.
HIGH_SCORE = 50
MEDIUM_SCORE = 25


def percent(value: Decimal | None) -> str:
    """A ratio as people read it in a sentence: ``0.125`` -> ``12.5%``."""
    return "–" if value is None else f"{round_places(value * 100, 1)}%"


def units(value: int | None) -> str:
    """A whole number as people read it in a sentence: ``1323000`` -> ``1,323,000``."""
    return "–" if value is None else f"{value:,}"


def hhi(volumes: list[int]) -> int:
    """HHI of the suppliers' volumes, 0-10,000: shares 60/40 -> 3,600 + 1,600 = 5,200.

    Exactly ``10,000 x sum(v^2) / (sum v)^2``, rounded half up to a whole point; 0 when nothing
    is agreed."""
    total = sum(volumes)
    if total <= 0:
        return 0
    exact = Decimal(HHI_SCALE * sum(v * v for v in volumes)) / Decimal(total * total)
    return int(round_places(exact, 0))


@dataclass(frozen=True)
class MonthLate:
    """Order lines due in one business month (``YYYY-MM``) and how many were delivered late."""

    month: str
    lines: int
    late: int
    complete: bool = True  # False: the month in progress

    @property
    def rate(self) -> Decimal | None:
        return None if self.lines == 0 else Decimal(self.late) / Decimal(self.lines)


def rising(months: list[MonthLate]) -> bool:
    """Rule "rising late deliveries" over the months with lines due (oldest first)."""
    rates = [m.rate for m in months if m.rate is not None and m.complete]
    last = rates[-RISING_MONTHS:]
    if len(last) < RISING_MONTHS:
        return False
    steps = all(a < b for a, b in pairwise(last))
    return steps and last[-1] >= LATE_RATE_LIMIT


@dataclass(frozen=True)
class Winner:
    """A supplier of the lot: its declared annual capacity (None: not declared) and late
    deliveries by month."""

    id: int
    name: str
    capacity: int | None
    months: tuple[MonthLate, ...] = ()


@dataclass(frozen=True)
class Supply:
    """What one winner agreed to supply in one region (smallest units a contract year)."""

    region: str
    winner_id: int
    agreed: int


@dataclass(frozen=True)
class LotInput:
    lot_id: int
    code: str
    name: str
    supplies: tuple[Supply, ...]
    winners: tuple[Winner, ...]  # every supplier and every named backup
    # region -> winner id; None: the award recorded no backups for the lot (contracts written
    # outside an award run): backups unknown, neither scored nor alerted
    backups: dict[str, int] | None = field(default_factory=dict)


@dataclass(frozen=True)
class WinnerRisk:
    id: int
    name: str
    agreed: int  # over the whole lot
    share: Decimal  # of the lot's agreed volume
    capacity: int | None
    months: tuple[MonthLate, ...]
    rising_late: bool

    @property
    def headroom(self) -> int | None:
        """Capacity less the agreed volume, in units (None: no capacity declared)."""
        return None if self.capacity is None else self.capacity - self.agreed

    @property
    def headroom_share(self) -> Decimal | None:
        if self.headroom is None or self.agreed == 0:
            return None
        return Decimal(self.headroom) / Decimal(self.agreed)

    @property
    def low_headroom(self) -> bool:
        """Rule "low headroom"."""
        return self.headroom is not None and self.headroom < self.agreed * LOW_HEADROOM_SHARE


@dataclass(frozen=True)
class RegionShare:
    winner: WinnerRisk
    agreed: int
    share: Decimal


@dataclass(frozen=True)
class Backup:
    winner: WinnerRisk

    @property
    def spare(self) -> int:
        """Declared capacity less what it already has to supply in the lot (0 if unknown)."""
        return max(self.winner.headroom or 0, 0)


@dataclass(frozen=True)
class RegionRisk:
    region: str
    agreed: int
    shares: tuple[RegionShare, ...]  # largest first
    hhi: int
    backup: Backup | None
    score: int
    reasons: tuple[Message, ...]
    backup_known: bool = True

    @property
    def single_winner(self) -> bool:
        return len(self.shares) == 1

    @property
    def backup_ready(self) -> bool:
        """Rule "backup with spare capacity": a backup is named and its spare covers at least
        BACKUP_MIN_COVER of the region's agreed volume (the alert's condition is the opposite)."""
        return self.backup is not None and _covers(self.backup.spare, self.agreed)


def _covers(spare: int, agreed: int) -> bool:
    return spare > 0 and spare >= agreed * BACKUP_MIN_COVER


def level(score: int) -> str:
    """Rule "risk level": high, medium or low."""
    return "high" if score >= HIGH_SCORE else "medium" if score >= MEDIUM_SCORE else "low"


@dataclass(frozen=True)
class LotRisk:
    lot_id: int
    code: str
    name: str
    agreed: int
    hhi: int  # over the whole lot (nationally)
    winners: tuple[WinnerRisk, ...]  # largest share first
    regions: tuple[RegionRisk, ...]  # highest score first

    @property
    def score(self) -> int:
        """The lot's score is its riskiest region's."""
        return max((r.score for r in self.regions), default=0)

    @property
    def level(self) -> str:
        return level(self.score)

    @property
    def reasons(self) -> tuple[Message, ...]:
        return self.regions[0].reasons if self.regions else ()

    @property
    def without_backup(self) -> tuple[RegionRisk, ...]:
        return tuple(r for r in self.regions if r.backup_known and not r.backup_ready)

    @property
    def single_winner_regions(self) -> tuple[RegionRisk, ...]:
        return tuple(r for r in self.regions if r.single_winner)


def assess(lot: LotInput) -> LotRisk:
    """The lot's supply risk: its winners (shares, headroom, late trend) and every region
    with its concentration, backup, score and reasons."""
    total = sum(s.agreed for s in lot.supplies)
    agreed: dict[int, int] = {}
    for s in lot.supplies:
        agreed[s.winner_id] = agreed.get(s.winner_id, 0) + s.agreed
    risks = {w.id: _winner_risk(w, agreed.get(w.id, 0), total) for w in lot.winners}
    suppliers = sorted((risks[i] for i in agreed), key=lambda w: (-w.agreed, w.name, w.id))
    by_region: dict[str, list[Supply]] = {}
    for s in lot.supplies:
        by_region.setdefault(s.region, []).append(s)
    regions = [
        _region(region, rows, risks, lot.backups) for region, rows in sorted(by_region.items())
    ]
    regions.sort(key=lambda r: (-r.score, r.region))
    return LotRisk(
        lot.lot_id,
        lot.code,
        lot.name,
        total,
        hhi(list(agreed.values())),
        tuple(suppliers),
        tuple(regions),
    )


def _share(part: int, whole: int) -> Decimal:
    return Decimal(0) if whole == 0 else Decimal(part) / Decimal(whole)


def _winner_risk(w: Winner, agreed: int, total: int) -> WinnerRisk:
    return WinnerRisk(
        w.id, w.name, agreed, _share(agreed, total), w.capacity, w.months, rising(list(w.months))
    )


def _region(
    region: str, rows: list[Supply], risks: dict[int, WinnerRisk], backups: dict[str, int] | None
) -> RegionRisk:
    volume: dict[int, int] = {}
    for s in rows:
        volume[s.winner_id] = volume.get(s.winner_id, 0) + s.agreed
    total = sum(volume.values())
    shares = tuple(
        RegionShare(risks[i], v, _share(v, total))
        for i, v in sorted(volume.items(), key=lambda kv: (-kv[1], risks[kv[0]].name))
    )
    backup_id = None if backups is None else backups.get(region)
    backup = Backup(risks[backup_id]) if backup_id in risks else None
    concentration = hhi(list(volume.values()))
    points, reasons = _findings(shares, concentration, backup, total, backups is not None)
    return RegionRisk(
        region,
        total,
        shares,
        concentration,
        backup,
        min(points, SCORE_MAX),
        tuple(reasons),
        backups is not None,
    )


def _findings(
    shares: tuple[RegionShare, ...],
    concentration: int,
    backup: Backup | None,
    total: int,
    backup_known: bool,
) -> tuple[int, list[Message]]:
    """Rule "supply risk score": the points of a region's findings and each in words."""
    found: list[tuple[int, Message]] = []
    if len(shares) == 1:
        name = shares[0].winner.name
        found.append((POINTS_SINGLE_WINNER, Message("{name} is the only supplier.", name=name)))
    elif concentration >= HHI_HIGH:
        text = Message(
            "Concentrated supply: HHI {hhi} of 10,000 (rule: {limit} or more).",
            hhi=units(concentration),
            limit=units(HHI_HIGH),
        )
        found.append((POINTS_CONCENTRATED, text))
    if backup_known:
        found.extend(_backup_findings(backup, total))
    for s in shares:
        found.extend(_winner_findings(s.winner))
    return sum(p for p, _ in found), [m for _, m in found]


def _backup_findings(backup: Backup | None, total: int) -> list[tuple[int, Message]]:
    if backup is None:
        return [(POINTS_NO_BACKUP, Message("No backup supplier is named for this region."))]
    w = backup.winner
    if backup.spare <= 0:
        text = Message(
            "Backup {name} has no spare capacity (capacity {capacity}, agreed {agreed}).",
            name=w.name,
            capacity=units(w.capacity),
            agreed=units(w.agreed),
        )
        return [(POINTS_BACKUP_WITHOUT_SPARE, text)]
    if not _covers(backup.spare, total):
        text = Message(
            "Backup {name} has too little spare capacity: {spare}, under {limit} of the "
            "region's {agreed}.",
            name=w.name,
            spare=units(backup.spare),
            limit=percent(BACKUP_MIN_COVER),
            agreed=units(total),
        )
        return [(POINTS_BACKUP_WITHOUT_SPARE, text)]
    if backup.spare < total:
        text = Message(
            "Backup {name} can cover {spare} of the region's {agreed} units.",
            name=w.name,
            spare=units(backup.spare),
            agreed=units(total),
        )
        return [(POINTS_BACKUP_SHORT, text)]
    return []


def _winner_findings(w: WinnerRisk) -> list[tuple[int, Message]]:
    out: list[tuple[int, Message]] = []
    if w.low_headroom:
        text = Message(
            "{name}'s capacity headroom is {headroom} units, under {limit} of its agreed {agreed}.",
            name=w.name,
            headroom=units(w.headroom),
            limit=percent(LOW_HEADROOM_SHARE),
            agreed=units(w.agreed),
        )
        out.append((POINTS_LOW_HEADROOM, text))
    if w.rising_late:
        last = [m.rate for m in w.months if m.rate is not None and m.complete][-1]
        text = Message(
            "{name}'s late-delivery rate rose {months} months running, to {rate}.",
            name=w.name,
            months=RISING_MONTHS,
            rate=percent(last),
        )
        out.append((POINTS_RISING_LATE, text))
    return out
