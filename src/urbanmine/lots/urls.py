from django.urls import path

from .views import hubs, lot, passports

urlpatterns = [
    path("supply/", lot.supply_list, name="supply-list"),
    path("lots/<str:code>/", lot.lot_detail, name="lot-detail"),
    path("lots/<str:code>/record/", lot.lot_record_step, name="lot-record-step"),
    path("lots/<str:code>/engage/", lot.lot_engage_certifier, name="lot-engage-certifier"),
    path("lots/<str:code>/correct/", lot.lot_correct, name="lot-correct"),
    path("lots/<str:code>/price/", lot.lot_asking_price, name="lot-asking-price"),
    path("lots/<str:code>/steps/<str:step>/", lot.lot_step, name="lot-step"),
    path(
        "inspections/<int:pk>/certificate.pdf",
        lot.inspection_certificate,
        name="inspection-certificate",
    ),
    path("lots/<str:code>/propose/", lot.lot_propose_transfer, name="lot-propose-transfer"),
    path(
        "transfers/<int:pk>/accept/",
        lot.transfer_decide,
        {"decision": "accept"},
        name="transfer-accept",
    ),
    path(
        "transfers/<int:pk>/decline/",
        lot.transfer_decide,
        {"decision": "decline"},
        name="transfer-decline",
    ),
    path("assets/<int:pk>/", passports.asset_passport, name="asset-passport"),
    path("assets/<int:pk>/lots/new/", passports.asset_add_lot, name="asset-add-lot"),
    path("assets/<int:pk>/import/", passports.asset_import, name="asset-import"),
    path("assets/<int:pk>/drafts/", passports.asset_drafts, name="asset-drafts"),
    path("imports/<int:pk>/", passports.inventory_import, name="inventory-import"),
    path(
        "imports/<int:pk>/status/",
        passports.inventory_import_status,
        name="inventory-import-status",
    ),
    path(
        "imports/<int:pk>/cancel/",
        passports.inventory_import_cancel,
        name="inventory-import-cancel",
    ),
    path("inventory-template/", passports.inventory_template, name="inventory-template"),
    path("hubs/", hubs.hub_list, name="hub-list"),
    path("hubs/<int:pk>/", hubs.hub_detail, name="hub-detail"),
    path("hubs/<int:pk>/settings/", hubs.hub_settings, name="hub-settings"),
    path("hubs/<int:pk>/merge/", hubs.hub_merge_lots, name="hub-merge-lots"),
    path("hubs/<int:pk>/transform/", hubs.hub_transform_lots, name="hub-transform-lots"),
]
