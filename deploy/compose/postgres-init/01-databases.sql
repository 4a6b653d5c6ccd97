-- Runs once, on the first start of an empty PostgreSQL volume (docker-entrypoint-initdb.d).
-- One database per service: trainer-service and eval-service never share tables.
CREATE DATABASE ham_trainer OWNER ham;
CREATE DATABASE ham_eval OWNER ham;
