"""CO2 of virgin versus reused material, transport emissions and TCO (pure Python).

Why a factor *source*: the default table (src/urbanmine/data/impact_factors.csv, derived
from ÖKOBAUDAT 2020-II by scripts/derive_impact_factors.py) is open data; a licensed NMD
export or an MKI set can be plugged in as another FactorSource without touching this code.
Every number in a comparison is traced to a factor row (source, dataset, status) or to a
named assumption, so users see what is cited and what is estimated.
"""

from __future__ import annotations

import csv
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TypedDict, Unpack

QUALITIES = ("A", "B", "C")
PROCESSING_STEPS = ("dismantling", "cleaning", "repair")
TESTING_STEPS = ("testing", "certification")
ALL_STEPS = PROCESSING_STEPS + TESTING_STEPS


class ImpactError(ValueError):
    """Bad input or a missing factor; `field` names the offending input or column."""

    def __init__(self, message: str, *, field: str, row: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.row = row

    def as_dict(self) -> dict[str, Any]:
        return {"error": str(self), "field": self.field, "row": self.row}


@dataclass(frozen=True)
class Factor:
    """Impact and cost factors of one product group, per kg of product."""

    product_group: str
    virgin_co2_kg_per_kg: float
    reuse_co2_kg_per_kg: float
    virgin_price_eur_per_kg: float
    reuse_processing_eur_per_kg: float
    testing_eur_per_kg: float
    disposal_eur_per_kg: float
    service_life_years: float
    waste_avoided_share: float
    stream_kg_per_m2: float = 0.0
    material: str = ""
    source: str = ""
    source_dataset: str = ""
    source_uuid: str = ""
    version: str = ""
    licence: str = ""
    status: str = "estimate"  # of the virgin CO2 factor: cited | estimate
    reuse_status: str = "estimate"
    cost_status: str = "estimate"
    note: str = ""

    @property
    def gain_kg_per_kg(self) -> float:
        return self.virgin_co2_kg_per_kg - self.reuse_co2_kg_per_kg

    @property
    def reuse_exceeds_virgin(self) -> bool:
        """Reuse processing emits more than making it new: flagged, never hidden."""
        return self.reuse_co2_kg_per_kg > self.virgin_co2_kg_per_kg

    def citation(self) -> str:
        parts = [p for p in (self.source, self.version) if p]
        ds = f"{self.source_dataset} ({self.source_uuid})" if self.source_uuid else ""
        return ", ".join(parts + ([ds] if ds else [])) or "no source"


@dataclass(frozen=True)
class TransportFactor:
    mode: str
    kg_co2_per_tkm: float
    eur_per_tkm: float
    source: str = ""
    source_dataset: str = ""
    source_uuid: str = ""
    version: str = ""
    status: str = "estimate"
    note: str = ""


class FactorSource(ABC):
    """Where factors come from (open table, NMD export, MKI set...)."""

    name: str = "factor source"

    @abstractmethod
    def factor(self, product_group: str) -> Factor:
        """The factor row; ImpactError(field='product_group') when unknown."""

    @abstractmethod
    def product_groups(self) -> list[str]: ...

    @abstractmethod
    def transport(self, mode: str) -> TransportFactor:
        """The transport factor; ImpactError(field='transport_mode') when unknown."""

    @abstractmethod
    def transport_modes(self) -> list[str]: ...


class StaticFactorSource(FactorSource):
    """Factors held in memory (tests, notebooks, converted NMD/MKI exports)."""

    def __init__(
        self,
        factors: Iterable[Factor],
        transports: Iterable[TransportFactor] = (),
        name: str = "static",
    ) -> None:
        self._factors = {f.product_group: f for f in factors}
        self._transports = {t.mode: t for t in transports}
        self.name = name

    def factor(self, product_group: str) -> Factor:
        try:
            return self._factors[product_group]
        except KeyError:
            raise ImpactError(
                f"unknown product group {product_group!r} in {self.name}", field="product_group"
            ) from None

    def product_groups(self) -> list[str]:
        return list(self._factors)

    def transport(self, mode: str) -> TransportFactor:
        try:
            return self._transports[mode]
        except KeyError:
            known = ", ".join(sorted(self._transports)) or "none"
            raise ImpactError(
                f"unknown transport mode {mode!r} (known: {known})", field="transport_mode"
            ) from None

    def transport_modes(self) -> list[str]:
        return list(self._transports)


_FACTOR_NUMBERS = (
    "virgin_co2_kg_per_kg",
    "reuse_co2_kg_per_kg",
    "virgin_price_eur_per_kg",
    "reuse_processing_eur_per_kg",
    "testing_eur_per_kg",
    "disposal_eur_per_kg",
    "service_life_years",
    "waste_avoided_share",
)


def _number(row: Mapping[str, str | None], col: str, name: str, line: int, required: bool) -> float:
    raw = (row.get(col) or "").strip()
    if not raw:
        if required:
            raise ImpactError(f"{name} line {line}: missing factor {col}", field=col, row=line)
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise ImpactError(
            f"{name} line {line}: {col} {raw!r} is not a number", field=col, row=line
        ) from None
    if not math.isfinite(value):
        raise ImpactError(f"{name} line {line}: {col} is not finite", field=col, row=line)
    return value


class CsvFactorSource(StaticFactorSource):
    """The derived open table: impact_factors.csv (+ transport_factors.csv next to it)."""

    def __init__(self, path: str | Path, transport_path: str | Path | None = None) -> None:
        path = Path(path)
        tpath = Path(transport_path) if transport_path else path.with_name("transport_factors.csv")
        super().__init__(_read_factors(path), _read_transport(tpath), name=path.name)


def _read_rows(path: Path, required: Iterable[str], field_name: str) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ImpactError(f"{path.name}: missing column(s) {missing}", field=missing[0])
            return list(reader)
    except OSError as exc:
        raise ImpactError(f"cannot read {path}: {exc.strerror}", field=field_name) from None


def _read_factors(path: Path) -> list[Factor]:
    rows = _read_rows(path, ("product_group", *_FACTOR_NUMBERS), "factors")
    text_fields = {f.name for f in fields(Factor)} - set(_FACTOR_NUMBERS) - {"product_group"}
    out = []
    for line, row in enumerate(rows, start=2):
        code = (row.get("product_group") or "").strip()
        if not code:
            raise ImpactError(
                f"{path.name} line {line}: empty product_group", field="product_group"
            )
        nums = {c: _number(row, c, path.name, line, True) for c in _FACTOR_NUMBERS}
        nums["stream_kg_per_m2"] = _number(row, "stream_kg_per_m2", path.name, line, False)
        texts = {c: (row.get(c) or "").strip() for c in text_fields if c != "stream_kg_per_m2"}
        out.append(Factor(product_group=code, **nums, **texts))  # type: ignore[arg-type]
    return out


def _read_transport(path: Path) -> list[TransportFactor]:
    rows = _read_rows(path, ("mode", "kg_co2_per_tkm"), "transport_factors")
    out = []
    for line, row in enumerate(rows, start=2):
        out.append(
            TransportFactor(
                mode=row["mode"].strip(),
                kg_co2_per_tkm=_number(row, "kg_co2_per_tkm", path.name, line, True),
                eur_per_tkm=_number(row, "eur_per_tkm", path.name, line, False),
                source=row.get("source", ""),
                source_dataset=row.get("source_dataset", ""),
                source_uuid=row.get("source_uuid", ""),
                version=row.get("version", ""),
                status=row.get("status", "estimate"),
                note=row.get("note", ""),
            )
        )
    return out


# --- elementary functions (hand-checkable) -----------------------------------------------


def _non_negative(value: float, name: str) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ImpactError(f"{name} must be a finite number >= 0, got {value!r}", field=name)
    return float(value)


def co2_avoided_kg(mass_kg: float, factor: Factor) -> float:
    """mass x (virgin - reuse), before transport (the matching contract's definition)."""
    return _non_negative(mass_kg, "mass_kg") * factor.gain_kg_per_kg


def transport_co2_kg(mass_kg: float, distance_km: float, kg_co2_per_tkm: float) -> float:
    """Tonne-km x factor: t = kg / 1000."""
    m = _non_negative(mass_kg, "mass_kg")
    d = _non_negative(distance_km, "distance_km")
    return m / 1000.0 * d * _non_negative(kg_co2_per_tkm, "kg_co2_per_tkm")


def waste_avoided_kg(mass_kg: float, factor: Factor) -> float:
    """Mass kept out of the waste stream (downcycling, incineration, landfill)."""
    return _non_negative(mass_kg, "mass_kg") * factor.waste_avoided_share


def flagged_groups(source: FactorSource) -> list[str]:
    """Groups whose reuse processing emits more CO2 than virgin production."""
    return [g for g in source.product_groups() if source.factor(g).reuse_exceeds_virgin]


# --- reuse versus new ---------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    """Overridable assumptions of compare_reuse; all are estimates unless a factor says so.

    Quality (A/B/C, as in the matching contract): C needs more repair (cost and CO2 x1.4),
    yields fewer usable items (70 % of harvested survive processing) and has less remaining
    life (50 % of a new product's service life). Steps: dismantling/cleaning/repair split
    the factor's processing cost and CO2 40/35/25; testing/certification split the testing
    cost 60/40 (their CO2 is negligible).
    """

    new_supply_distance_km: float = 50.0
    transport_mode: str = "truck"
    new_transport_mode: str = "truck"
    storage_eur_per_t_day: float = 0.15
    purchase_eur_per_kg: float = 0.0  # cost-based chain view; set a trader's price here
    discount_rate: float = 0.0225  # Dutch public-sector real rate (werkgroep discontovoet 2020)
    quality_processing_multiplier: Mapping[str, float] = field(
        default_factory=lambda: {"A": 0.8, "B": 1.0, "C": 1.4}
    )
    quality_yield: Mapping[str, float] = field(
        default_factory=lambda: {"A": 0.95, "B": 0.85, "C": 0.70}
    )
    quality_remaining_life_share: Mapping[str, float] = field(
        default_factory=lambda: {"A": 1.0, "B": 0.75, "C": 0.5}
    )
    step_shares: Mapping[str, float] = field(
        default_factory=lambda: {
            "dismantling": 0.40,
            "cleaning": 0.35,
            "repair": 0.25,
            "testing": 0.60,
            "certification": 0.40,
        }
    )

    def validate(self) -> None:
        for name in ("new_supply_distance_km", "storage_eur_per_t_day", "discount_rate"):
            _non_negative(getattr(self, name), name)
        for q in QUALITIES:
            if q not in self.quality_yield or not 0 < self.quality_yield[q] <= 1:
                raise ImpactError(f"yield for quality {q} must be in (0, 1]", field="quality_yield")
            if self.quality_remaining_life_share.get(q, -1) < 0:
                raise ImpactError(
                    f"remaining life share for quality {q} must be >= 0",
                    field="quality_remaining_life_share",
                )
            _non_negative(
                self.quality_processing_multiplier.get(q, -1), "quality_processing_multiplier"
            )

    def with_overrides(self, **overrides: Any) -> Assumptions:
        known = {f.name for f in fields(self)}
        for key in overrides:
            if key not in known:
                raise ImpactError(f"unknown assumption {key!r}", field=key)
        return Assumptions(**{**asdict(self), **overrides})


@dataclass(frozen=True)
class Line:
    """One traced number: value, unit, and where it comes from."""

    name: str
    value: float
    unit: str
    source: str
    status: str  # cited | estimate | input | computed


@dataclass(frozen=True)
class Comparison:
    product_group: str
    quantity: float
    mass_kg: float
    harvested_mass_kg: float
    distance_km: float
    quality: str
    steps: tuple[str, ...]
    storage_days: float
    co2_new_kg: float
    co2_reuse_kg: float
    co2_saving_kg: float
    co2_avoided_kg: float  # mass x (virgin - reuse), before transport and replacement
    transport_co2_reuse_kg: float
    transport_co2_new_kg: float
    waste_avoided_kg: float
    first_cost_new_eur: float
    first_cost_reuse_eur: float
    tco_new_eur: float
    tco_reuse_eur: float
    horizon_years: float
    verdict: str  # reuse | reuse_lower_co2_higher_cost | new_lower_co2_reuse_cheaper | new
    summary: str
    flags: tuple[str, ...]
    cost_lines_reuse: tuple[Line, ...]
    cost_lines_new: tuple[Line, ...]
    co2_lines_reuse: tuple[Line, ...]
    co2_lines_new: tuple[Line, ...]
    assumptions: tuple[Line, ...]
    factor: Factor

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["steps"] = list(self.steps)
        d["flags"] = list(self.flags)
        return d


def _line(name: str, value: float, unit: str, source: str, status: str) -> Line:
    return Line(name, float(value), unit, source, status)


class ReuseOptions(TypedDict, total=False):
    """The optional keyword arguments of `compare_reuse` (defaults in brackets)."""

    quality: str  # A, B or C ["B"]
    steps: Iterable[str] | None  # processing/testing steps [None: ALL_STEPS]
    storage_days: float  # [0.0]
    assumptions: Assumptions | None  # [Assumptions()]


@dataclass(frozen=True)
class _Case:
    """The checked inputs of one comparison, with the factor rows they need."""

    product_group: str
    quantity: float
    distance_km: float
    mass_kg_per_unit: float
    storage_days: float
    quality: str
    steps: tuple[str, ...]
    a: Assumptions
    f: Factor
    t_reuse: TransportFactor
    t_new: TransportFactor
    est_cite: str  # "estimate, <source> row <group>"

    @property
    def tcite(self) -> str:
        t = self.t_reuse
        return f"{t.source} {t.version} {t.source_dataset}".strip()


def _case(
    source: FactorSource,
    product_group: str,
    quantity: float,
    distance_km: float,
    *,
    mass_kg_per_unit: float,
    options: ReuseOptions,
) -> _Case:
    """Validate in a fixed order (the first error names its field), then look up factors."""
    a = options.get("assumptions") or Assumptions()
    a.validate()
    if not isinstance(product_group, str) or not product_group:
        raise ImpactError("product group is required", field="product_group")
    q = _non_negative(quantity, "quantity")
    d = _non_negative(distance_km, "distance_km")
    mpu = _non_negative(mass_kg_per_unit, "mass_kg_per_unit")
    days = _non_negative(options.get("storage_days", 0.0), "storage_days")
    quality = (options.get("quality", "B") or "").strip().upper()
    if quality not in QUALITIES:
        raise ImpactError(f"quality must be A, B or C, got {quality!r}", field="quality")
    steps = options.get("steps")
    chosen = tuple(ALL_STEPS if steps is None else dict.fromkeys(s.strip().lower() for s in steps))
    unknown = [s for s in chosen if s not in ALL_STEPS]
    if unknown:
        raise ImpactError(
            f"unknown step(s) {unknown}; known: {', '.join(ALL_STEPS)}", field="steps"
        )
    f = source.factor(product_group)
    t_reuse = source.transport(a.transport_mode)
    t_new = source.transport(a.new_transport_mode)
    return _Case(
        product_group=product_group,
        quantity=q,
        distance_km=d,
        mass_kg_per_unit=mpu,
        storage_days=days,
        quality=quality,
        steps=chosen,
        a=a,
        f=f,
        t_reuse=t_reuse,
        t_new=t_new,
        est_cite=f"estimate, {source.name} row {f.product_group}",
    )


@dataclass(frozen=True)
class _Shares:
    """Mass, yield and life of the reused product; the shares the steps and quality imply."""

    mass: float  # kg delivered
    yld: float
    harvested: float  # kg harvested = mass / yield
    mult: float  # processing multiplier of the quality
    proc_share: float
    test_share: float
    horizon: float  # the new product's service life, years
    life_share: float
    replacement_share: float
    reuse_life: float  # years


def _shares(c: _Case) -> _Shares:
    a = c.a
    mass = c.quantity * c.mass_kg_per_unit
    yld = a.quality_yield[c.quality]
    life_share = min(1.0, a.quality_remaining_life_share[c.quality])
    horizon = c.f.service_life_years
    return _Shares(
        mass=mass,
        yld=yld,
        harvested=mass / yld,
        mult=a.quality_processing_multiplier[c.quality],
        proc_share=sum(a.step_shares.get(s, 0.0) for s in c.steps if s in PROCESSING_STEPS),
        test_share=sum(a.step_shares.get(s, 0.0) for s in c.steps if s in TESTING_STEPS),
        horizon=horizon,
        life_share=life_share,
        replacement_share=1.0 - life_share,
        reuse_life=life_share * horizon,
    )


@dataclass(frozen=True)
class _Co2:
    """kg CO2-eq: new = production + delivery; reuse = processing + transport + replacement."""

    new_production: float
    new_transport: float
    new: float
    reuse_processing: float
    reuse_transport: float
    replacement: float
    reuse: float


def _co2(c: _Case, sh: _Shares) -> _Co2:
    new_production = sh.mass * c.f.virgin_co2_kg_per_kg
    new_transport = transport_co2_kg(sh.mass, c.a.new_supply_distance_km, c.t_new.kg_co2_per_tkm)
    co2_new = new_production + new_transport
    reuse_processing = sh.harvested * c.f.reuse_co2_kg_per_kg * sh.proc_share * sh.mult
    reuse_transport = transport_co2_kg(sh.mass, c.distance_km, c.t_reuse.kg_co2_per_tkm)
    replacement = sh.replacement_share * co2_new
    return _Co2(
        new_production=new_production,
        new_transport=new_transport,
        new=co2_new,
        reuse_processing=reuse_processing,
        reuse_transport=reuse_transport,
        replacement=replacement,
        reuse=reuse_processing + reuse_transport + replacement,
    )


@dataclass(frozen=True)
class _Cost:
    """EUR: first costs of both options and the TCO over the horizon."""

    price_new: float
    transport_new: float
    first_new: float
    purchase: float
    processing: float
    testing: float
    transport_reuse: float
    storage: float
    first_reuse: float
    disposal_avoided: float
    replacement: float  # a new product once the reused one's remaining life ends, discounted
    residual: float  # that replacement's value left at the horizon, discounted
    tco_new: float
    tco_reuse: float


def _cost(c: _Case, sh: _Shares) -> _Cost:
    a, f, mass = c.a, c.f, sh.mass
    price_new = mass * f.virgin_price_eur_per_kg
    transport_new = mass / 1000.0 * a.new_supply_distance_km * c.t_new.eur_per_tkm
    first_new = price_new + transport_new
    purchase = mass * a.purchase_eur_per_kg
    processing = sh.harvested * f.reuse_processing_eur_per_kg * sh.proc_share * sh.mult
    testing = sh.harvested * f.testing_eur_per_kg * sh.test_share
    transport_reuse = mass / 1000.0 * c.distance_km * c.t_reuse.eur_per_tkm
    storage = mass / 1000.0 * c.storage_days * a.storage_eur_per_t_day
    first_reuse = purchase + processing + testing + transport_reuse + storage
    disposal_avoided = mass * f.disposal_eur_per_kg
    r = a.discount_rate

    def disc(years: float) -> float:
        return float((1.0 + r) ** -years)

    if sh.replacement_share > 0:
        replacement = first_new * disc(sh.reuse_life)
        residual = (
            first_new * (sh.reuse_life / sh.horizon if sh.horizon else 0.0) * disc(sh.horizon)
        )
    else:
        replacement = residual = 0.0
    return _Cost(
        price_new=price_new,
        transport_new=transport_new,
        first_new=first_new,
        purchase=purchase,
        processing=processing,
        testing=testing,
        transport_reuse=transport_reuse,
        storage=storage,
        first_reuse=first_reuse,
        disposal_avoided=disposal_avoided,
        replacement=replacement,
        residual=residual,
        tco_new=first_new,
        tco_reuse=first_reuse - disposal_avoided + replacement - residual,
    )


def _verdict(co2: _Co2, cost: _Cost) -> str:
    co2_better = co2.new - co2.reuse > 0
    cost_better = cost.tco_reuse < cost.tco_new
    if co2_better and cost_better:
        return "reuse"
    if co2_better:
        return "reuse_lower_co2_higher_cost"
    if cost_better:
        return "new_lower_co2_reuse_cheaper"
    return "new"


def _flags(c: _Case, sh: _Shares, co2: _Co2, co2_avoided: float) -> tuple[str, ...]:
    flags = []
    if c.f.reuse_exceeds_virgin:
        flags.append("reuse_processing_exceeds_virgin")
    if co2.reuse_processing > co2.new_production:
        flags.append("reuse_processing_co2_exceeds_new_production")
    if co2.reuse_transport > max(co2_avoided, 0.0):
        flags.append("transport_outweighs_co2_gain")
    if c.f.status != "cited":
        flags.append("virgin_factor_is_estimate")
    if sh.replacement_share > 0:
        flags.append("reused_life_shorter_than_new")
    return tuple(flags)


def _co2_lines(c: _Case, co2: _Co2) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """(new, reuse) CO2 lines."""
    f, cite, est, tcite = c.f, c.f.citation(), "estimate", c.tcite
    new = (
        _line("production A1-A3", co2.new_production, "kg CO2-eq", cite, f.status),
        _line("delivery transport", co2.new_transport, "kg CO2-eq", tcite, c.t_new.status),
    )
    reuse = (
        _line(
            "dismantling/cleaning/repair",
            co2.reuse_processing,
            "kg CO2-eq",
            c.est_cite,
            f.reuse_status,
        ),
        _line("transport", co2.reuse_transport, "kg CO2-eq", tcite, c.t_reuse.status),
        _line("replacement after remaining life", co2.replacement, "kg CO2-eq", cite, est),
    )
    return new, reuse


def _cost_lines(c: _Case, cost: _Cost) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """(new, reuse) cost lines."""
    est, est_cite, tcite, status = "estimate", c.est_cite, c.tcite, c.f.cost_status
    new = (
        _line("price", cost.price_new, "EUR", est_cite, status),
        _line("delivery transport", cost.transport_new, "EUR", tcite, est),
    )
    reuse = (
        _line("purchase", cost.purchase, "EUR", "assumption purchase_eur_per_kg", est),
        _line("processing", cost.processing, "EUR", est_cite, status),
        _line("testing & certification", cost.testing, "EUR", est_cite, status),
        _line("transport", cost.transport_reuse, "EUR", tcite, est),
        _line("storage", cost.storage, "EUR", "assumption storage_eur_per_t_day", est),
        _line("disposal avoided", -cost.disposal_avoided, "EUR", est_cite, status),
        _line("replacement after remaining life", cost.replacement, "EUR", est_cite, est),
        _line("residual value of replacement", -cost.residual, "EUR", est_cite, est),
    )
    return new, reuse


def _assumption_lines(c: _Case, sh: _Shares) -> tuple[Line, ...]:
    f, cite, est, est_cite, tcite = c.f, c.f.citation(), "estimate", c.est_cite, c.tcite
    q, t = c.quality, c.t_reuse
    return (
        _line("virgin CO2", f.virgin_co2_kg_per_kg, "kg CO2-eq/kg", cite, f.status),
        _line(
            "reuse processing CO2", f.reuse_co2_kg_per_kg, "kg CO2-eq/kg", est_cite, f.reuse_status
        ),
        _line("virgin price", f.virgin_price_eur_per_kg, "EUR/kg", est_cite, f.cost_status),
        _line(
            "reuse processing cost",
            f.reuse_processing_eur_per_kg,
            "EUR/kg",
            est_cite,
            f.cost_status,
        ),
        _line("testing cost", f.testing_eur_per_kg, "EUR/kg", est_cite, f.cost_status),
        _line("disposal cost", f.disposal_eur_per_kg, "EUR/kg", est_cite, f.cost_status),
        _line("service life (horizon)", sh.horizon, "years", est_cite, f.cost_status),
        _line("mass per unit", c.mass_kg_per_unit, "kg", "input", "input"),
        _line(f"yield quality {q}", sh.yld, "share", "assumption quality_yield", est),
        _line(f"processing multiplier quality {q}", sh.mult, "x", "assumption", est),
        _line(f"remaining life quality {q}", sh.life_share, "share", "assumption", est),
        _line("steps share processing", sh.proc_share, "share", "assumption step_shares", est),
        _line("steps share testing", sh.test_share, "share", "assumption step_shares", est),
        _line(f"transport {t.mode}", t.kg_co2_per_tkm, "kg CO2-eq/tkm", tcite, t.status),
        _line(f"transport cost {t.mode}", t.eur_per_tkm, "EUR/tkm", tcite, est),
        _line("new supply distance", c.a.new_supply_distance_km, "km", "assumption", est),
        _line("discount rate", c.a.discount_rate, "per year", "assumption", est),
    )


def compare_reuse(
    source: FactorSource,
    product_group: str,
    quantity: float,
    distance_km: float,
    *,
    mass_kg_per_unit: float,
    **options: Unpack[ReuseOptions],
) -> Comparison:
    """Reuse versus new for `quantity` units delivered, over the new product's service life.

    Options (`ReuseOptions`, keyword only): quality ("B"), steps (None = all), storage_days
    (0.0), assumptions (None = `Assumptions()`).

    CO2 (kg): new = production + delivery; reuse = processing of the harvested mass (more
    than delivered when quality lowers the yield) + transport + the share of a new product
    needed once the reused one's remaining life ends. TCO (EUR): same structure with
    prices, plus storage, testing & certification, disposal avoided (negative when scrap
    revenue is forgone) and the residual value of that replacement at the horizon.
    """
    unknown = [k for k in options if k not in ReuseOptions.__optional_keys__]
    if unknown:
        raise TypeError(f"compare_reuse() got an unexpected keyword argument {unknown[0]!r}")
    c = _case(
        source,
        product_group,
        quantity,
        distance_km,
        mass_kg_per_unit=mass_kg_per_unit,
        options=options,
    )
    sh = _shares(c)
    co2 = _co2(c, sh)
    cost = _cost(c, sh)
    co2_avoided = co2_avoided_kg(sh.mass, c.f)
    saving = co2.new - co2.reuse
    verdict = _verdict(co2, cost)
    summary = (
        f"{_verdict_text(verdict)}: reuse saves {saving:,.0f} kg CO2 "
        f"({co2.reuse:,.0f} vs {co2.new:,.0f} kg) and costs {cost.tco_reuse - cost.tco_new:+,.0f} EUR "
        f"TCO over {sh.horizon:g} years ({cost.tco_reuse:,.0f} vs {cost.tco_new:,.0f} EUR)"
    )
    co2_lines_new, co2_lines_reuse = _co2_lines(c, co2)
    cost_lines_new, cost_lines_reuse = _cost_lines(c, cost)
    return Comparison(
        product_group=product_group,
        quantity=c.quantity,
        mass_kg=sh.mass,
        harvested_mass_kg=sh.harvested,
        distance_km=c.distance_km,
        quality=c.quality,
        steps=c.steps,
        storage_days=c.storage_days,
        co2_new_kg=co2.new,
        co2_reuse_kg=co2.reuse,
        co2_saving_kg=saving,
        co2_avoided_kg=co2_avoided,
        transport_co2_reuse_kg=co2.reuse_transport,
        transport_co2_new_kg=co2.new_transport,
        waste_avoided_kg=waste_avoided_kg(sh.mass, c.f),
        first_cost_new_eur=cost.first_new,
        first_cost_reuse_eur=cost.first_reuse,
        tco_new_eur=cost.tco_new,
        tco_reuse_eur=cost.tco_reuse,
        horizon_years=sh.horizon,
        verdict=verdict,
        summary=summary,
        flags=_flags(c, sh, co2, co2_avoided),
        cost_lines_reuse=cost_lines_reuse,
        cost_lines_new=cost_lines_new,
        co2_lines_reuse=co2_lines_reuse,
        co2_lines_new=co2_lines_new,
        assumptions=_assumption_lines(c, sh),
        factor=c.f,
    )


def _verdict_text(verdict: str) -> str:
    return {
        "reuse": "Reuse: lower CO2 and lower TCO",
        "reuse_lower_co2_higher_cost": "Reuse for CO2: lower CO2 but higher TCO",
        "new_lower_co2_reuse_cheaper": "New is lower CO2, but reuse is cheaper",
        "new": "New: reuse has higher CO2 and higher TCO",
    }[verdict]
