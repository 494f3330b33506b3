"""The tender tool in headless Chromium (issue #17): the province sets an area ambition; the
housing corporation creates a demolition tender for its building from it, adds two clauses
and a fictitious-discount criterion, enters three bids, sees the ranking, and downloads
the Word annex (opened: clauses and ranking) and the PDF (first page rendered to PNG)."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from tests.conftest import sign_in
from tests.support.chain import identify_bricks
from urbanmine.tenders.models import Ambition, Tender
from urbanmine.tenders.services import clause_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: where the rendered first page of the PDF is kept for a person to look at
PNG_DIR = Path("/tmp/urbanmine-tender-browser")


def _go(page, path):
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")


def _submit(page, form):
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_province_ambition_to_tender_ranking_and_annexes(chain, page, tmp_path):
    identify_bricks(chain)  # 10 000 bricks of 2,1 kg: 21 t in the building's passport
    for code, title in [
        ("hergebruik-tenzij", "Hergebruik, tenzij"),
        ("minimaal-oogstpercentage", "Minimaal oogstpercentage"),
        ("veilig-slopen", "Veilig en milieukundig slopen"),
    ]:
        clause_create(
            actor=chain.matchmaker_user,
            code=code,
            title=title,
            kind="requirement",
            phase="demolition",
            text=f"Tekst van {title}.",
            source="Verkenning Urban Mining Zuid-Holland, H4 Kansen",
        )

    # 1. the province sets an area ambition for Rotterdam
    sign_in(page, "matchmaker")
    _go(page, "/tenders/")
    page.click("#new-ambition")
    page.wait_for_load_state("networkidle")
    page.fill("#id_name", "Rotterdam circulair slopen")
    page.select_option("#id_level", "area")
    page.select_option("#id_phase", "demolition")
    page.fill("#id_year", "2027")
    page.select_option("#id_municipalities", label="Rotterdam (GM0599)")
    page.fill("#id_harvest_pct", "120")  # a typo first: refused next to the field, in Dutch
    _submit(page, "#ambition-form")
    assert "tussen 0 en 100" in page.inner_text(".field-harvest_pct")
    assert not Ambition.objects.exists()
    page.fill("#id_harvest_pct", "30")
    _submit(page, "#ambition-form")
    assert "Rotterdam circulair slopen" in page.inner_text("h1")
    area = Ambition.objects.get()

    # 2. the housing corporation tenders the demolition of its building from it
    page.context.clear_cookies()
    sign_in(page, "owner")
    _go(page, "/tenders/")
    assert "Rotterdam circulair slopen" in page.inner_text("#ambitions")
    page.click("#new-tender")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_asset", str(chain.building.pk))
    page.select_option("#id_phase", "demolition")
    page.fill("#id_title", "Circulaire sloop Flat Rotterdam")
    page.select_option("#id_ambition", str(area.pk))
    _submit(page, "#tender-form")
    tender = Tender.objects.get()
    assert page.url.endswith(f"/tenders/{tender.pk}/")
    assert tender.min_harvest_pct == 30  # from the ambition

    # 3. two clauses from the library
    for title in ("Hergebruik, tenzij", "Veilig en milieukundig slopen"):
        page.select_option("#clause-add-form select[name=clause]", label=f"{title} (v1)")
        _submit(page, "#clause-add-form")
    assert "Hergebruik, tenzij" in page.inner_text("#clauses")
    assert "Veilig en milieukundig slopen" in page.inner_text("#clauses")

    # 4. the fictitious discount: 200 euros per tonne harvested
    page.click("#criteria summary")
    page.fill("#criteria-form input[name=discount_eur_per_t]", "-5")
    _submit(page, "#criteria-form")
    assert "onder nul" in page.inner_text("#criteria-form .field-discount_eur_per_t")
    page.fill("#criteria-form input[name=discount_eur_per_t]", "200")
    _submit(page, "#criteria-form")
    tender.refresh_from_db()
    assert tender.discount_eur_per_t == 200

    # 5. three bids (21 t expected): A 8,4 t, B 16,8 t, C 10,5 t harvested
    for bidder, price, harvest in [
        ("Sloper A", "50000", "40"),
        ("Sloper B", "51500", "80"),
        ("Sloper C", "52000", "50"),
    ]:
        page.fill("#bid-form input[name=bidder]", bidder)
        page.fill("#bid-form input[name=price_eur]", price)
        page.fill("#bid-form input[name=harvest_pct]", harvest)
        _submit(page, "#bid-form")
    # B: 51 500 − 200×16,8 = 48 140 < A: 50 000 − 200×8,4 = 48 320 < C: 52 000 − 2 100
    ranked = page.locator("#ranking tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.bidder)"
    )
    assert ranked == ["Sloper B", "Sloper A", "Sloper C"]
    # break-even (51 500 − 50 000) / (16,8 − 8,4) = 178,57 euros per tonne
    assert "178,57" in page.inner_text("#break-even")

    PNG_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(PNG_DIR / "tender-page.png"), full_page=True)

    # 6. the Word annex holds the clauses and the ranking
    with page.expect_download() as download:
        page.click("#annex-docx")
    path = tmp_path / "annex.docx"
    download.value.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Hergebruik, tenzij" in text and "Veilig en milieukundig slopen" in text
    assert "Tekst van Minimaal oogstpercentage." not in text  # not chosen
    ranking = [row.cells[1].text for row in doc.tables[-1].rows[1:]]
    assert ranking == ["Sloper B", "Sloper A", "Sloper C"]
    assert "Bijlage bij de uitvraag" in text

    # 7. the PDF: its first page rendered to PNG
    with page.expect_download() as download:
        page.click("#annex-pdf")
    pdf = tmp_path / "annex.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed: the PDF page was not rendered")
    PNG_DIR.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(PNG_DIR / "annex-page1"),
        ],
        check=True,
    )
    png = PNG_DIR / "annex-page1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
