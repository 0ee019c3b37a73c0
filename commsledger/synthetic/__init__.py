"""Synthetic outbound communications: the demo register, test fixtures and benchmark load.

Everything is invented and uses reserved data only: e-mail domains from RFC 2606
(example.com/.org/.net and subdomains), UK numbers from Ofcom's drama ranges, and a fictitious
firm, "Example Bank plc". Records follow /work/shared/CONTRACT.md. Output depends only on the
seed and arguments, and streams in bounded memory: besides a cache of 16,384 subjects, the only
state is the open cases and running batches (about 800 at a million records over three years,
capped at 5,000 for denser streams, where new triggers then become single communications).

How it works: subjects are computed on demand from (seed, index). A stream of "fresh" triggers,
paced over a weekly activity profile so that exactly ``n`` records fall between ``start`` and
``end``, is merged through a heap with the scheduled later steps of cases (complaint,
collections, fraud, subject access, litigation) and batches (marketing campaigns, statement
runs, rate-change and regulatory mailings). Bodies are rendered from templates per channel.

Phone numbers: Ofcom reserves 1,000 mobile and 16,000 geographic drama numbers. Up to 17,000
subjects every subject has its own number (three quarters of small populations get a mobile);
beyond that a number is shared by at most ``ceil(subjects / 17000)`` subjects (think of a
household landline). libphonenumber calls 07700 900xxx and 01632 960xxx "not valid" but parses
them to E.164 like any other UK number.

Modules: ``register`` (``records()`` and the flows it draws from), ``engine`` (the state machine),
``singles``, ``cases`` and ``batches`` (the flows), ``render`` and ``channels`` (one record on one
channel), ``templates`` (with the texts in ``templates_products`` and ``templates_cases``),
``people`` and ``directory`` (subjects), ``content``, ``firm``, ``clock``, ``attachments``,
``later_events`` (``events()`` of a record) and ``writers`` (NDJSON and CSV).
"""

from commsledger.synthetic.common import Record
from commsledger.synthetic.later_events import events
from commsledger.synthetic.people import Subject, subjects
from commsledger.synthetic.register import records
from commsledger.synthetic.writers import write_csv, write_ndjson

__all__ = ["Record", "Subject", "events", "records", "subjects", "write_csv", "write_ndjson"]
