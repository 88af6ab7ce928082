-- Accounts: one row per user; session_id is the one live session (NULL when signed out).
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    password_hash text NOT NULL,
    session_id    uuid,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

-- Failed sign-ins, per account and per client, for throttling.
CREATE TABLE sign_in_failures (
    key        text NOT NULL,
    failed_at  timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key_time ON sign_in_failures (key, failed_at);
