"""Permission cases of attached documents (issue #14): an inspection's certificate and a
permit decision, downloadable only by those who may see the record."""

from __future__ import annotations

from tests.contracts.route_cases import LOGIN, Case, expect, page


def _certificate(w) -> str:
    """The reserved lot (owner's, at the hub, not offered) inspected by the engaged certifier,
    with the certificate attached (first use)."""
    if "inspection" not in w.extra:
        from tests.support.documents import pdf_upload
        from urbanmine.lots.lifecycle import Step
        from urbanmine.lots.services import lot_engage_certifier, lot_record_step

        lot_engage_certifier(
            lot_id=w.reserved_lot.id, certifier=w.chain.certifier, actor=w.chain.owner_user
        )
        event = lot_record_step(
            lot_id=w.reserved_lot.id,
            step=Step.QUALITY_CONTROL,
            actor=w.chain.certifier_user,
            passed=True,
            certificate_number="KOMO-1",
            certificate_document=pdf_upload(),
        )
        w.extra["inspection"] = event.inspection
    return f"/inspections/{w.extra['inspection'].pk}/certificate.pdf"


def _permit(w) -> str:
    """A decision with its PDF on the buyer's project, by a Delft authority (first use)."""
    if "permit" not in w.extra:
        from tests.support.documents import pdf_upload
        from urbanmine.assets.services import permit_decide
        from urbanmine.organisations.models import ChainRole, OrganisationRole
        from urbanmine.regions.models import Municipality

        OrganisationRole.objects.get_or_create(
            organisation=w.chain.matchmaker, role=ChainRole.PERMIT_AUTHORITY
        )
        w.chain.matchmaker.municipalities_served.add(Municipality.objects.get(code="GM0503"))
        w.extra["permit"] = permit_decide(
            asset=w.chain.project,
            status="granted",
            actor=w.chain.matchmaker_user,
            document=pdf_upload("besluit.pdf"),
        )
    return f"/permits/{w.extra['permit'].pk}/decision.pdf"


CASES: list[Case] = [
    page("inspection-certificate", _certificate, expect(LOGIN, (404,), (200,))),
    page("permit-document", _permit, expect(LOGIN, (404,), (200,)), own="buyer_user"),
]
