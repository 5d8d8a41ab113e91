"""The scheduler: idempotent jobs (open and close rounds, reminders, escalations, the outbox) and the process
that runs them (`flask scheduler run`, `flask scheduler tick`, or a thread of `make run`)."""
