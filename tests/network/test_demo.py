"""The network's demo data (issue #18): a directory entry with certifications for every demo
organisation (one expired), a covenant with commitments inside its period, the regional
targets with their units, and one imported (synthetic) region; reproducible."""

from __future__ import annotations

import pytest
from django.utils import timezone

from urbanmine.demo.generator import DEMO_ORGANISATIONS, _make_organisations
from urbanmine.demo.network import make_network
from urbanmine.network import selectors
from urbanmine.network.models import (
    Certification,
    Commitment,
    Covenant,
    DirectoryEntry,
    EntryStatus,
    RegionalTarget,
    RegionFigure,
)
from urbanmine.regions.services import municipalities_load

pytestmark = pytest.mark.django_db


def test_demo_fills_every_part_of_the_network():
    municipalities_load()
    orgs = _make_organisations(steward_password=None)
    today = timezone.localdate()
    assert make_network(orgs, today=today) == len(DEMO_ORGANISATIONS)
    entries = DirectoryEntry.objects.all()
    assert entries.count() == len(DEMO_ORGANISATIONS)
    assert all(e.is_demo and e.status == EntryStatus.MEMBER for e in entries)
    states = [selectors.certification_state(c, today) for c in Certification.objects.all()]
    assert "expired" in states and "valid" in states
    covenant = Covenant.objects.get()
    assert covenant.is_demo
    commitments = Commitment.objects.all()
    assert commitments.count() >= 10
    assert all(covenant.start_year <= c.year <= covenant.end_year for c in commitments)
    targets = RegionalTarget.objects.all()
    assert {t.entered_unit for t in targets} >= {"%", "kt"}
    assert targets.get(indicator="secondary_share_pct", year=2030).value == 50
    assert RegionFigure.objects.filter(region__contains="DEMO").exists()
    # reproducible: a second run adds nothing
    make_network(orgs, today=today)
    assert DirectoryEntry.objects.count() == len(DEMO_ORGANISATIONS)
    assert Commitment.objects.count() == commitments.count()
