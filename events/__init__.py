"""The transactional outbox: work that must follow a commit is written as a row in the
same transaction and relayed to Celery, so no request waits on (or fails because of) the
broker. Imports no domain app."""
