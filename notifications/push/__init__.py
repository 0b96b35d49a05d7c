"""Web push: people's push subscriptions (one per browser they turned it on in), the push
channel's sender, and the installable app around it (manifest, service worker, offline
page). Decision 0037."""
