"""One notification service for every feature: in-app, email, SMS and web push, with
people's preferences, quiet hours, a daily email digest and a delivery record per channel
(decision 0035). Callers use `notifications.services.notify` inside their transaction."""
