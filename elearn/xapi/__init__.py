"""xAPI (opt-in): statements about finished steps, queued in the database on the learner's
request (no network there) and sent to the organisation's LRS by `elearn xapi send` (cron), with
retries. See docs/interoperability.md."""
