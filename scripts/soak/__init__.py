"""A bounded soak test of the Contacts API: `python -m scripts.soak` (what `make soak` runs).

It starts a throw-away API (as `postman/run.sh` does: `python -m api` on a free loopback
port with an empty temporary DATA_DIR and the embedded store, abuse limits raised), registers
a few users, logs each in once per lane (a lane is one device: its own session, one request at
a time), and runs a seeded mix of requests until about N are sent: creates (some with an
Idempotency-Key, retried or raced on purpose), reads, replaces, merge patches, deletes, cursor
pages, the changes feed, token refreshes, logout and login, a replayed refresh token, and bad
input that must get a 4xx. Lanes of one user never touch the same contact at once, so each
user's book has one exact expected state: what the server acknowledged with a 2xx.

At the end every user's full list must equal that state, every deleted id must answer 404 and
tokens ended by logout must be refused; then the API is restarted on the same DATA_DIR and all
of it is checked again, plus a full changes-feed sync. Any 5xx, transport error or timeout, or
unexpected status fails the run. The server is always stopped and the directory deleted.

    python -m scripts.soak [--requests N] [--users U] [--concurrency C] [--seed S]
                           [--max-seconds T] [--base-url URL]

`--base-url` soaks an API that is already running (loopback only, nothing started or
restarted; its abuse limits must allow U registrations and the logins). Exit status 0 when
everything held, 1 otherwise, 130 when interrupted.
"""
