from django.urls import path

from commerce.payments import pack_views, payouts_views, views

urlpatterns = [
    path("webhooks/stripe/", views.stripe_webhook, name="stripe-webhook"),
    path("webhooks/stripe-connect/", views.stripe_connect_webhook, name="stripe-connect-webhook"),
    path("dashboard/payouts/", payouts_views.payouts, name="payouts"),
    path("dashboard/payouts/connect/", payouts_views.connect, name="payouts-connect"),
    path("dashboard/payouts/return/", payouts_views.connect_return, name="payouts-return"),
    path("dashboard/payouts/earnings.csv", payouts_views.earnings_csv, name="payouts-csv"),
    path("credits/buy/", pack_views.packs, name="credit-packs"),
    path("credits/buy/checkout/", pack_views.buy, name="credit-packs-buy"),
    path("credits/buy/done/", pack_views.done, name="credit-packs-done"),
]
