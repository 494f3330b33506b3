"""Attached documents (issue #14): a certificate (PDF) with an inspection, a decision (PDF)
with a permit; refused when not a PDF or too large, downloadable only by those who may see
the record, and carried through the step form's confirmation."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.support.documents import pdf_bytes, pdf_upload
from urbanmine.assets.models import PermitDecision
from urbanmine.assets.services import permit_decide
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import Inspection
from urbanmine.lots.services import lot_engage_certifier, lot_record_step
from urbanmine.organisations.models import ChainRole, OrganisationRole
from urbanmine.regions.models import Municipality


def _not_a_pdf(text: str) -> bool:  # the refusal, in either language
    return "not a PDF" in text or "geen pdf-bestand" in text


@pytest.fixture
def engaged(chain, harvested_lot):
    lot_engage_certifier(lot_id=harvested_lot.id, certifier=chain.certifier, actor=chain.owner_user)
    return harvested_lot


def _inspect(chain, lot, document):
    return lot_record_step(
        lot_id=lot.id,
        step=Step.QUALITY_CONTROL,
        actor=chain.certifier_user,
        passed=True,
        certificate_number="KOMO 123/45",
        certificate_document=document,
    )


def test_a_certificate_pdf_is_kept_with_the_inspection_and_served_to_who_sees_the_lot(
    chain, engaged, client
):
    event = _inspect(chain, engaged, pdf_upload(text="KOMO 123"))
    inspection = event.inspection
    assert inspection.certificate_document.name.startswith("certificates/")
    assert "certificaat" not in inspection.certificate_document.name  # random name on disk
    assert event.payload["document"] is True
    url = reverse("inspection-certificate", args=[inspection.pk])
    client.force_login(chain.owner_user)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"] and "komo-12345" in r["Content-Disposition"]
    body = b"".join(r.streaming_content)
    assert body == pdf_bytes("KOMO 123")
    page = client.get(reverse("lot-detail", args=[engaged.code])).content.decode()
    assert url in page


@pytest.mark.parametrize(
    "upload, reason",
    [
        (SimpleUploadedFile("c.pdf", b"<html>not a pdf</html>"), "not a PDF"),
        (SimpleUploadedFile("c.pdf", b""), "empty"),
    ],
)
def test_a_document_that_is_not_a_pdf_is_refused_and_nothing_is_written(
    chain, engaged, upload, reason
):
    with pytest.raises(ValidationError) as e:
        _inspect(chain, engaged, upload)
    assert reason in str(e.value.message_dict["certificate_document"])
    assert not Inspection.objects.filter(lot=engaged).exists()
    assert not engaged.events.filter(step=Step.QUALITY_CONTROL).exists()


def test_a_document_over_the_limit_is_refused(chain, engaged, settings):
    settings.URBANMINE_DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as e:
        _inspect(chain, engaged, pdf_upload())
    assert "at most" in str(e.value.message_dict["certificate_document"])


def test_the_step_form_carries_the_pdf_through_its_confirmation(chain, engaged, client):
    client.force_login(chain.certifier_user)
    url = reverse("lot-step", args=[engaged.code, Step.QUALITY_CONTROL])
    form = {
        "passed": "1",
        "certificate_number": "C-77",
        "occurred_on": timezone.localdate().isoformat(),
        "notes": "",
    }
    bad = client.post(url, {**form, "certificate_document": SimpleUploadedFile("x.pdf", b"GIF89")})
    assert bad.status_code == 400 and _not_a_pdf(bad.content.decode())
    confirm = client.post(url, {**form, "certificate_document": pdf_upload("cert.pdf")})
    assert confirm.status_code == 200, confirm.context["form"].errors
    page = confirm.content.decode()
    assert "cert.pdf" in page and 'name="document_token"' in page
    token = confirm.context["document_token"]
    done = client.post(url, {**form, "confirmed": "1", "document_token": token})
    assert done.status_code == 302, done.content.decode()[:2000]
    inspection = Inspection.objects.get(lot=engaged)
    assert inspection.certificate_number == "C-77"
    with inspection.certificate_document.open("rb") as f:
        assert f.read() == pdf_bytes()


@pytest.fixture
def authority(chain):
    OrganisationRole.objects.create(organisation=chain.matchmaker, role=ChainRole.PERMIT_AUTHORITY)
    chain.matchmaker.municipalities_served.add(Municipality.objects.get(code="GM0503"))
    return chain.matchmaker_user


def test_a_permit_decision_carries_its_pdf_for_the_authority_and_the_owner(
    chain, authority, client
):
    decision = permit_decide(
        asset=chain.project, status="granted", actor=authority, document=pdf_upload("b.pdf")
    )
    url = reverse("permit-document", args=[decision.pk])
    for user, status in (
        (authority, 200),
        (chain.buyer_user, 200),
        (chain.owner_user, 404),
        (chain.outsider_user, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    with pytest.raises(ValidationError) as e:
        permit_decide(
            asset=chain.project,
            status="refused",
            actor=authority,
            document=SimpleUploadedFile("b.pdf", b"PK\x03\x04"),
        )
    assert _not_a_pdf(str(e.value.message_dict["document"]))
    assert PermitDecision.objects.count() == 1


def test_the_permits_page_takes_the_decision_pdf(chain, authority, client):
    client.force_login(authority)
    r = client.post(
        reverse("permits"),
        {"asset": chain.project.pk, "status": "requested", "document": pdf_upload("aanvraag.pdf")},
    )
    assert r.status_code == 302
    decision = PermitDecision.objects.get(asset=chain.project)
    assert decision.document.name.startswith("permits/")
