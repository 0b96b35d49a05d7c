-- Run by the postgres image once, when its data volume is first initialised, as the
-- superuser and connected to POSTGRES_DB (the application database, already created).
--
-- btree_gist backs the exclusion constraint that makes double booking impossible
-- (DESIGN.md §3). It is enabled in the application database and in template1, so every
-- database created later from the template (Django's test databases included) has it too.

CREATE EXTENSION IF NOT EXISTS btree_gist;

\connect template1
CREATE EXTENSION IF NOT EXISTS btree_gist;
