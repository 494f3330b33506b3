"""Who a reservation binds a lot to, certifier engagements and custodians' transfer
proposals (issue #14). Lots reserved before this migration get their holder from the last
reservation (connection) event."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def reserved_for_from_history(apps, schema_editor):
    Lot = apps.get_model("lots", "Lot")
    LifecycleEvent = apps.get_model("lots", "LifecycleEvent")
    for lot in Lot.objects.filter(status="reserved").only("id", "owner_id"):
        event = (
            LifecycleEvent.objects.filter(lot_id=lot.id, step="connection")
            .order_by("-occurred_at", "-id")
            .first()
        )
        holder = (event.payload or {}).get("for_organisation") if event else None
        Lot.objects.filter(pk=lot.id).update(reserved_for_id=holder or lot.owner_id)


class Migration(migrations.Migration):
    dependencies = [
        ("lots", "0003_inventory_import"),
        ("organisations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="lot",
            name="reserved_for",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reserved_lots",
                to="organisations.organisation",
                verbose_name="reserved for",
            ),
        ),
        migrations.CreateModel(
            name="TransferProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "step",
                    models.CharField(
                        choices=[
                            ("identification", "Identification"),
                            ("inventory", "Inventory"),
                            ("dismantling", "Dismantling (harvest)"),
                            ("connection", "Connection (reservation for a next application)"),
                            ("sorting", "Selection & sorting"),
                            ("treatment", "Treatment & cleaning"),
                            ("quality_control", "Quality control & guarantee"),
                            ("sale", "Sale"),
                            ("transport_storage", "Transport & storage"),
                            ("design", "Design"),
                            ("permit", "Permit"),
                            ("execution", "Execution (application)"),
                            ("monitoring", "Monitoring & evaluation"),
                            ("ownership_change", "Ownership change"),
                            ("custody_change", "Custody change"),
                            ("split", "Split"),
                            ("merge", "Merge"),
                        ],
                        max_length=20,
                        verbose_name="step",
                    ),
                ),
                (
                    "quantity",
                    models.DecimalField(decimal_places=3, max_digits=14, verbose_name="quantity"),
                ),
                (
                    "price_eur",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="price (EUR)",
                    ),
                ),
                ("terms", models.TextField(blank=True, verbose_name="terms")),
                ("proposed_at", models.DateTimeField(verbose_name="proposed at")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "awaiting the owner"),
                            ("accepted", "accepted"),
                            ("declined", "declined"),
                            ("withdrawn", "withdrawn"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="reason")),
                (
                    "counterparty",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.organisation",
                        verbose_name="to",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="lots.lifecycleevent",
                    ),
                ),
                (
                    "lot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfer_proposals",
                        to="lots.lot",
                    ),
                ),
                (
                    "proposed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.organisation",
                        verbose_name="proposed by",
                    ),
                ),
                (
                    "proposed_by_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "transfer proposal",
                "verbose_name_plural": "transfer proposals",
                "ordering": ["-proposed_at"],
            },
        ),
        migrations.CreateModel(
            name="InspectionEngagement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("engaged_at", models.DateTimeField(verbose_name="engaged at")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "open"),
                            ("done", "inspected"),
                            ("withdrawn", "withdrawn"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "certifier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inspection_engagements",
                        to="organisations.organisation",
                        verbose_name="certifier",
                    ),
                ),
                (
                    "engaged_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.organisation",
                        verbose_name="engaged by",
                    ),
                ),
                (
                    "engaged_by_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "inspection",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="engagement",
                        to="lots.inspection",
                    ),
                ),
                (
                    "lot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="engagements",
                        to="lots.lot",
                    ),
                ),
            ],
            options={
                "verbose_name": "inspection engagement",
                "verbose_name_plural": "inspection engagements",
                "ordering": ["-engaged_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "open")),
                        fields=("lot", "certifier"),
                        name="one_open_engagement_per_lot_and_certifier",
                    )
                ],
            },
        ),
        migrations.RunPython(reserved_for_from_history, migrations.RunPython.noop),
    ]
