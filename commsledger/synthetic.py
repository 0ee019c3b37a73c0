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
"""

from __future__ import annotations

import base64
import csv
import heapq
import json
import random
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

Record = dict[str, Any]
_Thunk = Callable[[], Record]
_Step = tuple[int, _Thunk]
_Item = TypeVar("_Item")
_Plan = tuple[int, str, str, "_Person", dict[str, str], dict[str, Any]]

_DAY = 86_400
_WEEK = 7 * _DAY
_MONDAY0 = 4 * _DAY  # 1970-01-05, the first Monday after the epoch
_MASK = (1 << 64) - 1
_DEFAULT_END = datetime(2026, 11, 1, tzinfo=UTC)
_HELPLINE = "0808 157 0192"  # Ofcom drama freephone range, never a subject's number

# --------------------------------------------------------------------------- people and places


def _split(text: str) -> list[str]:
    """The items of a ``|``-separated table written across several lines."""
    return [item.strip() for item in text.split("|") if item.strip()]


def _pairs(text: str) -> list[tuple[str, str]]:
    """``a=b`` items of a ``|``-separated table."""
    return [(a, b) for a, b in (item.split("=") for item in _split(text))]


# (display, ascii) for e-mail addresses and handles
_FIRST = _pairs(
    "Alice=alice | Oliver=oliver | Amelia=amelia | George=george | Isla=isla | Harry=harry | "
    "Ava=ava | Noah=noah | Mia=mia | Jack=jack | Sophie=sophie | Mohammed=mohammed | "
    "Priya=priya | Arjun=arjun | Aisha=aisha | Chidi=chidi | Ngozi=ngozi | Fatima=fatima | "
    "Tom=tom | Emily=emily | James=james | Grace=grace | Dafydd=dafydd | Rhiannon=rhiannon | "
    "Aoife=aoife | Eilidh=eilidh | Callum=callum | Hannah=hannah | Samuel=samuel | Ruth=ruth | "
    "Margaret=margaret | Peter=peter | Leah=leah | Daniel=daniel | Kwame=kwame | Yusuf=yusuf | "
    "Ewa=ewa | Zoë=zoe | José=jose | Siobhán=siobhan | Łukasz=lukasz | Chloë=chloe | "
    "Renée=renee | Björn=bjorn | Małgorzata=malgorzata | Seán=sean | François=francois | "
    "Mehmet=mehmet"
)
_LAST = _pairs(
    "Example=example | Smith=smith | Jones=jones | Taylor=taylor | Brown=brown | "
    "Williams=williams | Wilson=wilson | Evans=evans | Thomas=thomas | Roberts=roberts | "
    "Patel=patel | Khan=khan | Ahmed=ahmed | Begum=begum | Okafor=okafor | Mensah=mensah | "
    "Campbell=campbell | MacLeod=macleod | Murphy=murphy | Kelly=kelly | Hughes=hughes | "
    "Price=price | Singh=singh | Kaur=kaur | Clarke=clarke | Walker=walker | Wright=wright | "
    "Green=green | Hall=hall | Wood=wood | O'Connor=oconnor | Llewelyn=llewelyn | "
    "Dvořák=dvorak | Müller=muller | Núñez=nunez | García=garcia | Kowalczyk=kowalczyk | "
    "Wiśniewski=wisniewski | Jørgensen=jorgensen | Öztürk=ozturk | Nguyễn=nguyen | "
    "Ó Briain=obriain | Lefèvre=lefevre | Fernández=fernandez | Schäfer=schafer"
)
# Chinese names are written family name first: (display, given name, family name) in ascii.
_CJK = [
    (name, *ascii.split("/"))
    for name, ascii in _pairs(
        "王芳=fang/wang | 李伟=wei/li | 张敏=min/zhang | 陈静=jing/chen | 刘洋=yang/liu"
    )
]
_DOMAINS = _split(
    "example.com | example.com | example.com | example.com | example.com | example.com | "
    "example.com | example.com | example.org | example.org | example.org | example.org | "
    "example.net | example.net | example.net | mail.example.com | mail.example.com | "
    "post.example.org | inbox.example.net"
)
_STREETS = _split(
    "High Street | Station Road | Church Lane | Mill Lane | Victoria Road | Park Avenue | "
    "Queen Street | King's Road | The Crescent | Orchard Close | Manor Way | Meadow View | "
    "Elm Grove | Chapel Row | Albert Terrace | Riverside Walk | Beech Drive | North Parade"
)
_WELSH_STREETS = _split("Heol y Frenhines | Ffordd yr Orsaf | Stryd Fawr | Heol Eglwys | Maes-y-Coed")
# (town, postcode area, Welsh?)
_TOWNS = [
    (town, area, town in ("Cardiff", "Swansea", "Aberystwyth"))
    for town, area in _pairs(
        "London=E | London=N | London=SW | Leeds=LS | Sheffield=S | Nottingham=NG | Leicester=LE | "
        "Bristol=BS | Reading=RG | Birmingham=B | Edinburgh=EH | Glasgow=G | Liverpool=L | "
        "Manchester=M | Newcastle upon Tyne=NE | Belfast=BT | York=YO | Norwich=NR | Exeter=EX | "
        "Cardiff=CF | Swansea=SA | Aberystwyth=SY"
    )
]
_POST_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# " street, town AREA" (the house number goes before, the postcode district after)
_STREET_TOWNS = [
    (f" {street}, {town} {area}", wales)
    for town, area, wales in _TOWNS
    for street in (_WELSH_STREETS + _STREETS[:5] if wales else _STREETS)
]
_INWARD = [f" {d}{a}{b}" for d in range(10) for a in _POST_LETTERS for b in _POST_LETTERS]
_FLATS = [f"Flat {i % 12 + 1}, " if i < 12 else "" for i in range(72)]  # one in six is a flat
# (display name, first name, ascii first, ascii family); one in 25 is written in Chinese.
_NAMES = [(f"{f} {la}", f, fa, lo) for f, fa in _FIRST for la, lo in _LAST]
_NAMES += [(n, n, given, family) for n, given, family in _CJK] * (len(_NAMES) // 24 // len(_CJK))

# Ofcom drama ranges as national-number groups (the last group gets three more digits): one
# mobile range, then 16 geographic ranges of 1,000 numbers each.
_MOBILE = ("7700", "900")
_LANDLINES = [
    tuple(r.split())
    for r in _split(
        "20 7946 0 | 113 496 0 | 114 496 0 | 115 496 0 | 116 496 0 | 117 496 0 | 118 496 0 | "
        "121 496 0 | 131 496 0 | 141 496 0 | 151 496 0 | 161 496 0 | 191 498 0 | 28 9649 6 | "
        "29 2018 0 | 1632 960"
    )
]
_D3 = [f"{i:03d}" for i in range(1000)]
_D4 = [f"{i:04d}" for i in range(10000)]
_PHONE_POOL = 1000 + 1000 * len(_LANDLINES)

_MERCHANTS = _split(
    "Acme Groceries | Northwind Travel | Contoso Electronics | Fabrikam Fashion | Globex Fuel | "
    "Initech Software | Tailspin Toys | Coho Winery | Litware Online | Adventure Works | "
    "Wide World Importers | Blue Yonder Airlines | Margie's Travel | Fourth Coffee | "
    "Alpine Ski House | Lucerne Publishing | Proseware Ltd | Example Books"
)
_PAYEES = _split(
    "Northwind Lettings | J Smith | Example Council Tax | Contoso Energy | A Patel | "
    "Fabrikam Water | Tailspin Nursery | M Okafor | Example Credit Union"
)
_FUNDS = _pairs(
    "Example Global Equity Fund Acc=GB00EX100017 | Example UK Income Fund Inc=GB00EX200025 | "
    "Example Sterling Corporate Bond Fund=GB00EX300033 | "
    "Example Balanced Managed Portfolio=GB00EX400041 | "
    "Example Emerging Markets Fund=GB00EX500058 | Example Sustainable Growth Fund=GB00EX600066"
)
_PADDED_MERCHANTS = [f"{m:<24}" for m in _MERCHANTS]
_CREDIT = ["credit card", "personal loan", "overdraft", "car finance agreement"]
_MONTHS = _split(
    "January | February | March | April | May | June | July | August | September | October | "
    "November | December"
)

# ------------------------------------------------------------------------------ departments

_AGENTS = {  # department -> (first agent number, how many)
    "Complaints": (100, 40),
    "Collections": (200, 60),
    "Customer Service": (300, 80),
    "Fraud": (400, 30),
    "Wealth Management (MiFID)": (500, 30),
    "Mortgages": (600, 30),
    "Legal": (700, 10),
    "Data Protection Office": (720, 5),
    "Insurance": (800, 20),
    "Retail Banking": (900, 30),
    "Compliance": (950, 8),
    "Marketing": (970, 8),
}
_STAFF = [
    "Priya Shah",
    "Tom Hughes",
    "Grace Mensah",
    "Iwan Morgan",
    "Hannah Kelly",
    "Arjun Mehta",
    "Ruth Campbell",
    "Daniel Wood",
    "Ewa Nowak",
    "Callum Reid",
    "Fatima Begum",
    "Samuel Price",
    "Niamh Doyle",
    "Kwame Boateng",
]
_TITLES = {
    "Complaints": "Complaint Handler",
    "Collections": "Financial Support Specialist",
    "Customer Service": "Customer Service Adviser",
    "Fraud": "Fraud Investigator",
    "Wealth Management (MiFID)": "Financial Adviser",
    "Mortgages": "Mortgage Adviser",
    "Legal": "Litigation Officer",
    "Data Protection Office": "Data Protection Officer",
    "Insurance": "Claims Handler",
    "Retail Banking": "Account Manager",
    "Compliance": "Compliance Officer",
    "Marketing": "Marketing Manager",
}
_SYSTEMS = {
    "email": "esp",
    "sms": "sms-gateway",
    "letter": "print-house",
    "phone": "telephony",
    "push": "app",
    "in_app": "app",
    "web_push": "app",
    "chat": "chat",
    "social": "social-hub",
}
# channel -> odds of carrying the customer id, an e-mail address and a phone number; app
# channels always carry the customer id, which is their only identifier.
_RECIPIENT_ODDS = {
    "email": (0.96, 1.0, 0.12),
    "sms": (0.96, 0.0, 1.0),
    "phone": (0.96, 0.0, 1.0),
    "letter": (0.96, 0.0, 0.0),
    "social": (0.96, 0.0, 0.0),
    "chat": (1.0, 0.5, 0.0),
    "push": (1.0, 0.0, 0.0),
    "in_app": (1.0, 0.0, 0.0),
    "web_push": (1.0, 0.0, 0.0),
}
_LOCAL_TIME_SYSTEMS = frozenset({"print-house", "dialler", "telephony", "ivr"})
_LONG = frozenset({"email", "letter", "chat"})
_SHORT = frozenset({"sms", "push", "in_app", "web_push", "social"})
_STATUS: dict[str, tuple[list[float], list[str]]] = {
    "email": (
        [0.6, 0.92, 0.94, 0.97, 0.985, 1.0],
        ["sent", "delivered", "read", "bounced", "failed", "queued"],
    ),
    "sms": ([0.55, 0.96, 0.985, 1.0], ["sent", "delivered", "failed", "queued"]),
    "letter": ([0.97, 1.0], ["sent", "queued"]),
    "phone": ([0.9, 1.0], ["delivered", "failed"]),
    "push": ([0.5, 0.88, 0.96, 1.0], ["sent", "delivered", "read", "failed"]),
    "chat": ([0.6, 1.0], ["delivered", "read"]),
}


# -------------------------------------------------------------------------------- templates


@dataclass(frozen=True, slots=True)
class _Tpl:
    """One template: long text (email, letter, chat), short text (sms, push, in-app, social)
    and call note (phone); fields in braces are filled per record."""

    id: str
    department: str
    purpose: str
    subject: str
    text: str = ""
    short: str = ""
    call: str = ""
    tags: tuple[str, ...] = ()
    attach: float = 0.0


_FOS = (
    "If you're not happy with our response, you can refer your complaint to the Financial "
    "Ombudsman Service, free of charge, within six months of the date of this message. If you "
    "don't refer it in time, the Ombudsman won't have our permission to consider it and will only "
    "be able to do so in very limited circumstances. Financial Ombudsman Service, Exchange Tower, "
    "London E14 9SR; www.financial-ombudsman.org.uk."
)
_MKT_FOOTER = (
    "You're receiving this because you told us you're happy to hear about our products. You can "
    "change your preferences at any time in the app, or unsubscribe at "
    "https://www.example.com/unsubscribe."
)
_SMS_STOP = "Reply STOP to 60060 to stop marketing texts."

_MACROS = {
    "<helpline>": _HELPLINE,
    "<fos>": _FOS,
    "<marketing-footer>": _MKT_FOOTER,
    "<sms-stop>": _SMS_STOP,
}


def _parse_templates(source: str) -> list[_Tpl]:
    """Templates from ``_TEMPLATE_SOURCE``: a header ``== id | department | purpose`` with
    optional ``| tags: ...`` and ``| attach: p``, an optional ``subject:`` line, then indented
    ``text:`` (email, letter, chat), ``short:`` (sms, push, in-app, social) and ``call:``
    (phone) sections. Indented lines join with spaces, a blank line starts a paragraph, a
    trailing ``\\n`` breaks the line, ``<name>`` expands a shared sentence, ``#`` comments."""
    templates = []
    for chunk in source.split("\n== ")[1:]:
        head, *lines = chunk.split("\n")
        tpl_id, department, purpose, *options = head.split(" | ")
        opts = dict(option.split(": ", 1) for option in options)
        parts: dict[str, list[str]] = {"subject": []}
        section = "subject"
        for line in lines:
            if line.startswith("subject: "):
                parts["subject"].append(line.removeprefix("subject: "))
            elif line.endswith(":") and not line.startswith(" "):
                section = line[:-1]
                parts[section] = []
            elif not line.startswith("#"):
                parts[section].append(line.strip())
        fields = {name: _paragraphs(words) for name, words in parts.items()}
        templates.append(
            _Tpl(
                tpl_id,
                department,
                purpose,
                fields.pop("subject"),
                **fields,
                tags=tuple(opts.get("tags", "").split()),
                attach=float(opts.get("attach", 0)),
            )
        )
    return templates


def _paragraphs(lines: list[str]) -> str:
    """Join wrapped lines: blank lines separate paragraphs, ``\\n`` ends a line."""
    text = "\n".join(lines).strip()
    paragraphs = [" ".join(p.split("\n")) for p in text.split("\n\n") if p]
    text = "\n\n".join(paragraphs).replace("\\n ", "\n").replace("\\n", "\n")
    for name, value in _MACROS.items():
        text = text.replace(name, value)
    return text


_TEMPLATE_SOURCE = r"""
# Retail and digital banking

== otp-sms-v2 | Retail Banking | transactional | tags: otp
short:
    {name}: your Example Bank one-time passcode is {otp}. Use it only to {action}. It expires in
    10 minutes. We will never call, text or email you to ask for this code – anyone who does is
    a fraudster. Didn't ask for it? Call us on <helpline>.

== otp-voice-v1 | Retail Banking | transactional | tags: otp
subject: Voice passcode call
call:
    Automated passcode call to the landline on file. Message played twice: "This is Example Bank
    with a one-time passcode for {name}. Your code is {otp_spaced}. Use it only to {action}.
    Never share it with anyone, including our staff." Call answered; message completed.

== txn-alert-v3 | Retail Banking | transactional
subject: Card payment of {amount}
short:
    {name}, your card ending {card} was used for {amount} at {merchant} on {long_date} at {hm}.
    Available balance: {amount2}. Not you? Freeze your card in the app and call <helpline> now.
    We will never ask you to move money to a 'safe account'.

== pay-conf-v2 | Retail Banking | transactional
subject: Payment sent: {amount} to {payee}
text:
    You sent {amount} from your account ending {acct} to {payee} on {long_date} at {hm}. The
    reference you gave was "{pref}".

    Most payments arrive within two hours, but some can take until the end of the next working
    day. If you don't recognise this payment, call us straight away on <helpline> – the sooner
    we know, the more likely it is that we can recover the money.
short:
    {name}, you sent {amount} to {payee} from your account ending {acct} (reference "{pref}").
    If this wasn't you, call <helpline> straight away – the sooner we know, the more likely we
    can get the money back.

== od-alert-v1 | Retail Banking | regulatory
subject: You're using an unarranged overdraft
short:
    {name}, your account ending {acct} is {amount} into an unarranged overdraft. Pay in enough
    by 23:59 today to avoid a fee of {fee}. Finding things hard? Talk to us on <helpline> –
    free, confidential support, and we won't judge.

== stmt-ready-v4 | Retail Banking | transactional | tags: statement | attach: 0.03
subject: Your {month} statement is ready
text:
    Your statement for {month} for your account ending {acct} is ready to view in online banking
    and the Example Bank app.

    Opening balance: {amount}\n
    Money in: {amount_in}\n
    Money out: {amount_out}\n
    Closing balance: {amount2}

    Please check your transactions and tell us straight away if you see anything you don't
    recognise. We keep your statements online for seven years.{annex}
short:
    {name}, your {month} statement for your account ending {acct} is ready in the app. Closing
    balance {amount2}. Please check your transactions and tell us straight away on <helpline> if
    anything looks wrong.

== stmt-paper-v2 | Retail Banking | transactional | tags: statement
subject: Your {month} statement – account ending {acct}
text:
    Here is your statement for {month}.

    Account ending {acct}\n
    Opening balance: {amount}\n
    Closing balance: {amount2}{annex}

    Please check this statement carefully and tell us about anything you don't recognise.
    Interest and charges are explained on the back of this page.

== pwd-reset-v2 | Customer Service | transactional
subject: Reset your online banking password
text:
    We received a request to reset the online banking password for customer number {cid} on
    {long_date} at {hm}. The request came from {device} in or near {city}.

    If it was you, follow the steps in the app within 30 minutes to choose a new password. If it
    wasn't you, don't click on anything: call us on <helpline> so that we can secure your
    account.

== addr-chg-v1 | Customer Service | service
subject: We've updated your address
text:
    As you asked, we updated the address on your account ending {acct} on {long_date}. We'll now
    write to you at:

    {address}

    If you didn't ask for this change, please call us straight away on <helpline>. As a security
    check we've also written to your previous address.

== card-disp-v1 | Retail Banking | service
subject: Your new card is on its way
text:
    Your new debit card for the account ending {acct} was sent on {long_date} and should arrive
    within five working days. The new card number ends in {card}; your PIN stays the same.

    When it arrives, sign the back and activate it by making a chip and PIN payment, then
    destroy your old card by cutting through the chip. If it hasn't arrived by {date2}, call us
    on <helpline>.

== cs-reply-v5 | Customer Service | service
subject: Your question about {topic}
text:
    Thank you for getting in touch about {topic}. {answer}

    If there's anything else, reply to this message or call us on <helpline> (8am–8pm, Monday to
    Saturday).
short:
    Hi {name}, thanks for your message about {topic}. {answer} Please don't share card numbers
    or passwords here – we'll never ask for them.

# Mortgages

== mtg-appt-v2 | Mortgages | service
subject: Your mortgage appointment on {date2}
text:
    This confirms your mortgage appointment with {signer} on {date2} at {appt}, by {mode}.

    Please have ready your last three months' payslips, your last three bank statements, photo
    ID and details of any other borrowing. The appointment usually takes about an hour. To
    rearrange, reply to this email or call <helpline>.
short:
    {name}, reminder: your Example Bank mortgage appointment is on {date2} at {appt}, by {mode}.
    Please have payslips, bank statements and photo ID ready. To rearrange call <helpline>.

== mtg-offer-v3 | Mortgages | regulatory | attach: 0.3
subject: Your mortgage offer {offer}
text:
    We're pleased to offer you a mortgage of {amount} on {property} over {term} years.

    Product: {rate} fixed until {date2}, then our Standard Variable Rate (currently {svr}).\n
    Monthly payment during the fixed period: {amount2}.\n
    Product fee: {fee}.

    This offer is valid until {date3}. The enclosed European Standardised Information Sheet
    (ESIS) sets out the full cost of the loan, including the total amount you will repay. You
    have a reflection period of at least seven days to consider the offer, and you can accept it
    at any time during that period.

    Your home may be repossessed if you do not keep up repayments on your mortgage.

== rate-chg-v2 | Mortgages | regulatory | tags: rate-change
subject: Your interest rate is changing on {date2}
text:
    We're writing to tell you that the interest rate on your {product} ending {acct} will change
    from {rate_old} to {rate_new} on {date2}. {impact}

    Why we're making this change: {reason}

    You don't need to do anything. If you're not happy with the change, you can {rights} without
    charge before it takes effect.

# Wealth management (MiFID)

== mifid-tc-v3 | Wealth Management (MiFID) | transactional | tags: mifid | attach: 0.12
subject: Contract note {cnote}
text:
    Contract note {cnote} for your {wrapper} ending {acct}.

    {trades}

    Execution venue: {venue}. Settlement date: {date2}.

    Please check this contract note and tell us within five working days if anything is wrong.
    The value of investments can go down as well as up and you may get back less than you
    invested.

== mifid-call-v2 | Wealth Management (MiFID) | transactional | tags: mifid recorded
subject: Recorded call: dealing instruction
call:
    Recorded line, recording {rec} (kept for at least five years under MiFID II and SYSC 10A).
    Identity verified by security questions. {name} instructed us to {side} {units} units of
    {fund} (ISIN {isin}) in the {wrapper} ending {acct}. Instruction read back and confirmed;
    order placed at {hm}, execution only. Risk warning given: the value of investments can fall
    as well as rise. Contract note to follow by email.

== mifid-suit-v4 | Wealth Management (MiFID) | regulatory | tags: mifid | attach: 0.25
subject: Your suitability report
text:
    Following our meeting on {date2}, this report sets out our recommendation and why we believe
    it is suitable for you.

    Your objectives: {objective}.\n
    Your attitude to risk: {risk}.\n
    Your capacity for loss: {capacity}.

    Our recommendation: invest {amount} in the {fund} (ISIN {isin}) within your {wrapper} ending
    {acct}. The fund matches the level of risk you told us you are comfortable with, gives you
    exposure to a broad range of assets and can be held for the five years or more you intend to
    invest.

    Costs: the fund's ongoing charges are {ocf} a year and our advice fee is {fee}. Over five
    years, these costs could reduce your return as shown in the enclosed illustration.

    Risks: the value of your investment and the income from it can fall as well as rise, and you
    may get back less than you invest. Past performance is not a reliable indicator of future
    results.

== mifid-val-v2 | Wealth Management (MiFID) | regulatory | tags: mifid
subject: Your quarterly valuation at {date2}
text:
    Here is the valuation of your {wrapper} ending {acct} at {date2}.

    Value at the start of the quarter: {amount}\n
    Value at the end of the quarter: {amount2}

    Your holdings:\n
    {holdings}

    Your full statement, including all transactions and charges in the quarter, is in your
    online account.

== mifid-cc-v1 | Wealth Management (MiFID) | regulatory | tags: mifid
subject: Your costs and charges statement for {year}
text:
    This statement shows the costs and charges you paid on your {wrapper} ending {acct} during
    {year}, as MiFID II requires.

    Service costs (advice and platform): {fee}\n
    Product costs (fund charges and transaction costs): {fee2}\n
    Total: {amount}, which is {pct}% of the average value of your investments.

    These costs reduced your return over the year by about {amount}. Without them, your
    investments would have been worth about {amount2} at the end of the year.

== mifid-depr-v1 | Wealth Management (MiFID) | regulatory | tags: mifid
subject: Your portfolio has fallen in value by {pct}%
text:
    We're required to tell you when the overall value of your portfolio falls by 10% or more
    since your last quarterly statement. At the close of business on {long_date} your {wrapper}
    ending {acct} was worth {amount2}, down {pct}% from {amount}.

    You don't need to do anything. Markets go up and down, and we recommend you think about your
    long-term goals before making any changes. If you'd like to review your investments, please
    contact your adviser or call us on <helpline>.

# Insurance

== ins-renew-v3 | Insurance | regulatory | attach: 0.05
subject: Your {cover} insurance renewal – {policy}
text:
    Your {cover} insurance policy {policy} renews on {date2}.

    Your premium for the coming year: {premium_new}\n
    What you paid last year: {premium_old}

    The price we offer you at renewal is no higher than we would offer a new customer for the
    same cover through the same channel. We'll renew your policy automatically and collect the
    premium by Direct Debit unless you tell us not to. Please check that the cover still meets
    your needs, and tell us about any changes, such as a new address or a claim you haven't told
    us about.

== ins-claim-v2 | Insurance | service
subject: Update on your claim {claim}
text:
    Here's an update on your {cover} insurance claim {claim}, made on {date2}: {update}

    You can follow your claim in the app, or call us on <helpline> quoting {claim}.
short:
    {name}, an update on your {cover} claim {claim}: {update} Questions? Call <helpline> quoting
    {claim}.
call:
    Outbound call to {name} about {cover} claim {claim}. {update} Customer understood the next
    steps.

# Marketing

== mkt-isa-v2 | Marketing | marketing
subject: {first}, make the most of your ISA allowance
text:
    There's still time to use this tax year's ISA allowance of £20,000 before 5 April. Our
    two-year Fixed Rate Cash ISA pays {rate} AER/tax-free, and you can transfer ISAs you hold
    elsewhere without losing the tax benefits.

    Open one in minutes in the app. Tax treatment depends on your individual circumstances and
    may change in the future.

    <marketing-footer>
short:
    {name}, use your £20,000 ISA allowance before 5 April: our two-year Fixed Rate Cash ISA pays
    {rate} AER. Open one in the app in minutes. <sms-stop>

== mkt-bt-v1 | Marketing | marketing
subject: {first}, 0% on balance transfers for {months} months
text:
    Move your card balances to an Example Bank credit card and pay 0% interest on them for
    {months} months (3% transfer fee). After that, the purchase and balance transfer rate is
    {apr} p.a. (variable).

    Representative example: assumed credit limit £1,200, purchase rate {apr} p.a. (variable),
    {apr} APR representative (variable).

    Credit is subject to status; you must be 18 or over and a UK resident.

    <marketing-footer>
short:
    {name}, 0% on balance transfers for {months} months (3% fee), then {apr} APR representative
    (variable). Credit subject to status. Apply in the app. <sms-stop>

== mkt-sav-v3 | Marketing | marketing
subject: A better home for your savings, {first}
text:
    Our one-year Fixed Saver now pays {rate} AER/gross p.a. on balances from £1,000. Your money
    is protected by the Financial Services Compensation Scheme up to the scheme limit.

    You can't withdraw or add money during the fixed term, so please make sure you won't need it
    before the term ends.

    <marketing-footer>
short:
    {name}, our one-year Fixed Saver now pays {rate} AER on £1,000 or more. Open it in the app
    in minutes. No withdrawals during the term. <sms-stop>

== mkt-app-v1 | Marketing | marketing
subject: New in the app: savings pots
text:
    You can now set up to ten savings pots in the Example Bank app, give each one a name and a
    goal, and round up your card payments into them automatically.

    Update the app to try it today.

    <marketing-footer>
short:
    {name}, new in the app: savings pots. Set a goal, name your pot and round up card payments
    automatically. Update the app to try it. Manage notifications in Settings.

== mkt-mtg-v2 | Marketing | marketing
subject: {first}, is your mortgage deal ending soon?
text:
    If your current mortgage deal ends in the next six months, you can secure a new rate with us
    now – from {rate} for two years – and we'll switch you over when your deal ends.

    Your home may be repossessed if you do not keep up repayments on your mortgage.

    <marketing-footer>
short:
    {name}, deal ending soon? Secure a new Example Bank mortgage rate from {rate} up to six
    months ahead. Your home may be repossessed if you do not keep up repayments. <sms-stop>

== mkt-inv-v1 | Marketing | marketing
subject: {first}, start investing from £25 a month
text:
    Our ready-made portfolios let you start investing from £25 a month, with one simple annual
    fee of {rate}.

    Capital at risk: the value of investments can go down as well as up and you may get back
    less than you put in. If you're unsure whether investing is right for you, please seek
    financial advice.

    <marketing-footer>
short:
    {name}, start investing from £25 a month with our ready-made portfolios. Capital at risk:
    you may get back less than you put in. <sms-stop>

# Complaints (FCA DISP 1.6: final response within eight weeks)

== cmp-src-v2 | Complaints | complaint | tags: fos-rights
subject: Your complaint {ref} – resolved
text:
    Thank you for talking to us on {received} about {issue} on your {product} ending {acct}. As
    we discussed, {resolution}

    We treat this as a complaint that we resolved by the end of the third business day after we
    received it. <fos>

== cmp-ack-v3 | Complaints | complaint
subject: We've received your complaint {ref}
text:
    Thank you for telling us about {issue} on your {product} ending {acct}. We're sorry you've
    had reason to complain. We received your complaint on {received} and your reference is
    {ref}.

    {signer} will look into it and keep you updated. We aim to send you our final response as
    soon as we can and in any case within eight weeks, by {deadline}. If we need more time,
    we'll write to explain why.

    Our complaints leaflet explains how we handle complaints and your right to refer your
    complaint to the Financial Ombudsman Service.

== cmp-call-v1 | Complaints | complaint | tags: recorded
subject: Call about complaint {ref}
call:
    Call about complaint {ref} ({issue}). Spoke to {name}; security passed. Customer explained
    that {detail}. I explained how we'll investigate and that we'll respond in full by
    {deadline}. Customer {mood}.

== cmp-hold-v2 | Complaints | complaint
subject: An update on your complaint {ref}
text:
    We're still looking into your complaint about {issue}, which we received on {received}.
    {hold}

    We'll send you our final response by {deadline} at the latest. If we can't, we'll write to
    explain why and tell you about your right to refer your complaint to the Financial Ombudsman
    Service.

== cmp-frl-v5 | Complaints | complaint | tags: fos-rights | attach: 0.2
subject: Our final response to your complaint {ref}
text:
    This is our final response to your complaint about {issue} on your {product} ending {acct},
    which we received on {received}.

    Your complaint\n
    You told us that {detail}.

    What we found\n
    {finding}

    Our decision\n
    {decision}

    {redress}Referring your complaint to the Financial Ombudsman Service\n
    <fos>

    We've enclosed the Ombudsman's explanatory leaflet.

== cmp-8wk-v1 | Complaints | complaint | tags: fos-rights
subject: Your complaint {ref}: our eight-week update
text:
    It's now almost eight weeks since we received your complaint about {issue} on {received},
    and we're sorry that we haven't yet been able to send you our final response. {hold} We
    expect to write to you with our decision by {date2}.

    You now have the right to refer your complaint to the Financial Ombudsman Service without
    waiting for our final response. <fos>

# Collections

== col-rem-v2 | Collections | collections | tags: arrears
subject: A payment on your {product} is overdue
text:
    We haven't received your payment of {amount} for your {product} ending {acct}, which was due
    on {due}. If you've paid in the last few days, thank you – please ignore this message.

    If you're finding it hard to keep up, please talk to us as soon as you can on <helpline>. We
    can look at options such as a payment plan or a break in payments.
short:
    {name}, we haven't received your payment of {amount} for your {product} ending {acct}, due
    {due}. Please pay in the app or call <helpline>. Finding things difficult? Talk to us –
    we're here to help.

== col-call-v3 | Collections | collections | tags: arrears
subject: Collections call – {ref}
call:
    Call attempt {attempt} about arrears of {amount} on the {product} ending {acct} (case
    {ref}). {outcome}

== col-nosia-v1 | Collections | collections | tags: arrears
subject: Notice of sums in arrears – {product} ending {acct}
text:
    This notice is sent to you under the Consumer Credit Act 1974 because you are behind with
    your payments under the agreement for your {product} ending {acct}.

    Arrears at {long_date}: {amount}\n
    Payments missed: {missed}

    If you are having difficulty paying, please talk to us: we can discuss a payment plan or
    other help. We've enclosed the Financial Conduct Authority's arrears information sheet,
    which explains your options and where to get free, independent debt advice.

== col-ie-v1 | Collections | collections | tags: arrears hardship
subject: Let's find a payment plan that works for you
text:
    Thank you for talking to us on {date2} about your {product} ending {acct}. To agree a plan
    you can afford, please complete an income and expenditure form online or by phone by {due}.
    We've put collection activity on hold for 30 days and we won't add interest or charges while
    you do this.

== col-arr-v2 | Collections | collections | tags: arrears
subject: Your payment plan is confirmed
text:
    This confirms the payment plan we agreed on {date2}: {plan} a month, starting on {due},
    until the arrears of {amount} on your {product} ending {acct} are cleared. We'll write to
    you every year to review the plan, and you can ask to change it at any time if your
    circumstances change.

    A payment plan may be reported to credit reference agencies and may affect your ability to
    get credit.

== col-paid-v1 | Collections | collections
subject: Thank you – your account is up to date
text:
    Thank you for your payment of {amount} to your {product} ending {acct}. Your account is now
    up to date and we've closed case {ref}.
short:
    {name}, thank you for your payment of {amount}. Your {product} ending {acct} is now up to
    date and we've closed case {ref}. No further action is needed.

== col-dn-v3 | Collections | collections | tags: arrears
subject: Default notice – {product} ending {acct}
text:
    DEFAULT NOTICE served under section 87(1) of the Consumer Credit Act 1974.

    IMPORTANT – YOU SHOULD READ THIS CAREFULLY.

    You are in breach of your agreement for the {product} ending {acct} because you have not
    made the payments due. The amount required to remedy the breach is {amount}, which must be
    paid by {due}. If the breach is remedied by that date, no further action will be taken in
    respect of it. If it is not, we may end the agreement and demand the whole outstanding
    balance of {amount2}.

    If you have difficulty paying, you can contact us or a free debt advice service. If you
    think this notice is wrong, please tell us straight away.

# Fraud

== frd-alert-v4 | Fraud | transactional
subject: Did you make this payment?
short:
    Example Bank fraud team for {name}: did you just try to pay {amount} to {merchant} with your
    card ending {card}? Reply Y if it was you or N if it wasn't. We've paused the payment. We
    will never ask for your PIN or passcodes.

== frd-ok-v1 | Fraud | transactional
subject: Thanks for confirming
short:
    {name}, thanks for confirming the payment of {amount} to {merchant} was you. We've released
    it and your card ending {card} works as normal. Case {ref} is now closed.

== frd-call-v2 | Fraud | service | tags: recorded
subject: Fraud team call – {ref}
call:
    Recorded outbound call from the fraud team about case {ref}. Spoke to {name} on
    {phone_shown}. {story} Card ending {card} {card_action} Customer reminded never to share
    one-time passcodes and never to move money to a 'safe account'.

== frd-outcome-v2 | Fraud | service | attach: 0.05
subject: The outcome of your fraud claim {ref}
text:
    Thank you for reporting {fraud} on your account ending {acct} on {received}. {outcome}

    Fraudsters are very convincing. Remember: we will never ask you to move money to keep it
    safe, and we will never ask for your PIN, full password or one-time passcodes.

# Data protection

== dsar-ack-v1 | Data Protection Office | regulatory
subject: Your request for a copy of your personal data ({ref})
text:
    We received your request for a copy of your personal data on {received}; your reference is
    {ref}. We'll respond within one month, by {deadline}. If your request is complex we may need
    up to two more months, and we'll tell you before {deadline} if so.

    To protect your information, we'll only send the copy to the contact details we hold for
    customer number {cid}.

== dsar-resp-v2 | Data Protection Office | regulatory | attach: 0.7
subject: Your personal data – request {ref}
text:
    We've completed your subject access request {ref}, which we received on {received}. Attached
    is a copy of the personal data we hold about you, including the records of your account
    ending {acct}, the communications we've sent you and notes of our calls with you.

    We've removed information about other people where sharing it would adversely affect their
    rights. For each category of data we've explained why we use it, who we share it with and
    how long we keep it. If you're unhappy with how we've handled your request, you can complain
    to the Information Commissioner's Office.

# Legal

== lgl-lba-v1 | Legal | legal
subject: Letter before claim – {product} ending {acct}
text:
    We are writing to you under the Pre-Action Protocol for Debt Claims about the balance of
    {amount} owed under your {product} ending {acct}, which we ended on {date2} (our reference
    {ref}).

    If you do not pay the balance, or contact us to agree a way forward, within 30 days of the
    date of this letter, we may start court proceedings against you. We've enclosed an
    information sheet, a reply form and a financial statement. You should get free, independent
    debt advice; if you tell us you are doing so, we will pause action while you get it.

== lgl-next-v1 | Legal | legal
subject: Your {product} ending {acct} – next steps ({ref})
text:
    We wrote to you on {date2} about the balance of {amount} owed under your {product} ending
    {acct}. {outcome}

    If you have any questions, please contact us quoting {ref}.

# Regulatory mailings

== reg-tc-v2 | Retail Banking | regulatory
subject: Changes to your account terms from {date2}
text:
    We're making some changes to the terms and conditions of your account ending {acct}, which
    take effect on {date2}. We're giving you at least two months' notice, as the Payment
    Services Regulations require.

    The main changes are:\n
    {changes}

    If you're happy with the changes, you don't need to do anything. If you don't want to accept
    them, you can close your account or switch to another of our accounts without charge at any
    time before {date2}.
"""
_TEMPLATES = _parse_templates(_TEMPLATE_SOURCE)
_T = {t.id: t for t in _TEMPLATES}
_MARKETING = [t for t in _TEMPLATES if t.purpose == "marketing"]
_CLOSING = frozenset(
    {
        "cmp-src-v2",
        "cmp-frl-v5",
        "col-arr-v2",
        "col-paid-v1",
        "frd-ok-v1",
        "frd-outcome-v2",
        "dsar-resp-v2",
    }
)
_RECORDED_DELIVERY = frozenset({"col-dn-v3", "lgl-lba-v1", "lgl-next-v1"})

_EXTRAS = {
    "": [
        "Keeping your money safe: we will never ask you to move money to another account to "
        "protect it, and we will never ask for your PIN, full password or one-time passcodes.",
        "If you'd like this in another format, such as large print, Braille or audio, or you'd "
        "like us to contact you in a different way, please let us know.",
        "You can manage your accounts at any time in the Example Bank app and online banking. "
        "For help, call " + _HELPLINE + " (8am–8pm, Monday to Saturday), or +44 808 157 0193 "
        "from abroad.",
        "We may record or monitor calls to help us improve our service and prevent fraud.",
    ],
    "complaint": [
        "If your circumstances have changed, or something is making it harder for you to deal "
        "with us right now, please tell us so that we can support you – for example by giving "
        "you more time, or by talking to someone you trust on your behalf.",
        "We look at every complaint to learn what went wrong, so that we can put things right "
        "for other customers too.",
    ],
    "collections": [
        "Free, confidential debt advice is available from MoneyHelper, StepChange and National "
        "Debtline. They won't judge you, and they can help you work out a budget and talk to "
        "us on your behalf.",
        "If you're worried about your mental health or wellbeing, or if anything is making it "
        "harder to manage your money, let us know – we can pause collection activity while we "
        "work out the right support for you.",
    ],
    "marketing": [],
}
_WELSH = (
    "Mae'r llythyr hwn ar gael yn Gymraeg. Os hoffech inni ysgrifennu atoch yn Gymraeg, "
    "ffoniwch ni ar " + _HELPLINE + " – rydym yn croesawu galwadau yn Gymraeg."
)
_EMAIL_FOOTER = (
    "Example Bank plc, 1 Example Street, London EC2A 4XX. Authorised by the Prudential "
    "Regulation Authority and regulated by the Financial Conduct Authority and the Prudential "
    "Regulation Authority (Financial Services Register number 999999). Please don't reply to "
    "this email; this mailbox isn't monitored."
)
_LETTER_FOOTER = (
    "Example Bank plc. Registered in England and Wales no. 00000000. Registered "
    "office: 1 Example Street, London EC2A 4XX. Calls may be recorded."
)
_SHORT_FOOTER = (
    " Example Bank will never ask for your PIN, full password or passcodes. Help: " + _HELPLINE + "."
)


_Shape = tuple[bool, tuple[str, str], str, tuple[list[float], list[str]]]
_SHAPES: dict[tuple[str, str], _Shape] = {}


def _shape(tpl: _Tpl, channel: str) -> _Shape:
    """What a template looks like on a channel, worked out once: whether it is long-form,
    the body formats (English, Welsh), the subject format ("" for none) and status odds."""
    shape = _SHAPES[(tpl.id, channel)] = (
        channel in _LONG,
        (_compose(tpl, channel, False), _compose(tpl, channel, True)),
        tpl.subject if channel != "sms" else "",
        _STATUS.get(channel) or _STATUS["push"],
    )
    return shape


def _compose(tpl: _Tpl, channel: str, welsh: bool) -> str:
    """Wrap a template's text in the greeting, sign-off and footer of a channel."""
    if channel in _SHORT:
        return tpl.short
    if channel == "phone":
        return (
            "Call note: outbound call to {name} on {phone_shown}, {long_date} at {hm}, by "
            "{agent_label}.\n" + tpl.call
        )
    if channel == "chat":
        line = "\n[{hm}] {agent_label}: "
        return (
            "Chat with {name}, {long_date}"
            + line
            + "Hello {name}, thanks for waiting."
            + line
            + tpl.text.replace("\n\n", line)
            + line
            + "Is there anything else I can help you with today?"
        )
    hello = ("Annwyl {name},\n\n" + _WELSH + "\n\n") if welsh else "Dear {name},\n\n"
    if channel == "letter":
        bye = "Yn gywir" if welsh else "Yours sincerely"
        return (
            "{name}\n{address}\n\n{long_date}\n\nOur reference: {ref}\n\n"
            + hello
            + tpl.text
            + "\n\n{extras}"
            + bye
            + ",\n\n{signer}\n{dept}\n\n"
            + _LETTER_FOOTER
        )
    bye = "Cofion gorau" if welsh else "Kind regards"
    return hello + tpl.text + "\n\n{extras}" + bye + ",\n{signer}\n{dept}\n\n" + _EMAIL_FOOTER


_SIGNATURES: dict[tuple[str, int | None], tuple[str, str, str]] = {}


def _signature(dept: str, agent: int | None) -> tuple[str, str, str]:
    """Signer, agent label and department line of a message (cached)."""
    key = (dept, agent)
    sig = _SIGNATURES.get(key)
    if sig is None:
        if agent is None:
            sig = (f"The {dept} team", "Example Bank", "Example Bank plc")
        else:
            sig = (
                f"{_STAFF[agent % len(_STAFF)]}, {_TITLES[dept]}",
                f"u-{agent}",
                f"{dept}, Example Bank",
            )
        _SIGNATURES[key] = sig
    return sig


# ------------------------------------------------------------------------------- time helpers


class _DayInfo(NamedTuple):
    iso: str
    long: str
    weekday: int
    year: int
    month: int


_DAYS: dict[int, _DayInfo] = {}
_BST: dict[int, tuple[int, int]] = {}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _day(d: int) -> _DayInfo:
    """Calendar facts about day ``d`` (days since the epoch); cached."""
    info = _DAYS.get(d)
    if info is None:
        dt = date.fromordinal(_EPOCH_ORDINAL + d)
        info = _DAYS[d] = _DayInfo(
            dt.isoformat(),
            f"{dt.day} {_MONTHS[dt.month - 1]} {dt.year}",
            dt.weekday(),
            dt.year,
            dt.month,
        )
    return info


def _bst(t: int) -> bool:
    """Whether UK summer time is in force at epoch second ``t``."""
    year = _day(t // _DAY).year
    span = _BST.get(year)
    if span is None:
        edges = []
        for month in (3, 10):
            last = date(year, month, 31)
            sunday = last.toordinal() - (last.weekday() + 1) % 7 - _EPOCH_ORDINAL
            edges.append(sunday * _DAY + 3600)
        span = _BST[year] = (edges[0], edges[1])
    return span[0] <= t < span[1]


_HM = [f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
_SS = [f":{s:02d}" for s in range(60)]


def _ts(t: int, local: bool = False) -> str:
    """RFC 3339 timestamp: UTC with ``Z``, or UK local time with its offset."""
    return _stamp(t, local)[0]


def _stamp(t: int, local: bool) -> tuple[str, _DayInfo, str]:
    """The RFC 3339 timestamp of ``t`` and the day and ``HH:MM`` it shows."""
    suffix = "Z"
    if local:
        if _bst(t):
            t += 3600
            suffix = "+01:00"
        else:
            suffix = "+00:00"
    d, s = divmod(t, _DAY)
    info = _DAYS.get(d) or _day(d)
    hm = _HM[s // 60]
    return f"{info.iso}T{hm}{_SS[s % 60]}{suffix}", info, hm


def _parse_ts(text: str) -> int:
    """Epoch seconds of an RFC 3339 timestamp."""
    return int(datetime.fromisoformat(text).timestamp())


def _epoch(moment: datetime) -> int:
    """Epoch seconds of a datetime; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _hour_weight(hour_of_week: int) -> float:
    """Relative sending activity in one hour of the week (Monday 00:00 UTC is hour 0)."""
    weekday, hour = divmod(hour_of_week, 24)
    base = 0.12 if hour < 6 else 0.45 if hour < 8 else 1.6 if hour < 18 else 0.8 if hour < 22 else 0.3
    return base * (1.0 if weekday < 5 else 0.55 if weekday == 5 else 0.4)


_W = [_hour_weight(h) for h in range(168)]
_CUM = [0.0, *accumulate(w * 3600 for w in _W)]
_WEEK_A = _CUM[168]


def _activity(t: int) -> float:
    """Map real time to 'activity time', which runs fast in busy hours."""
    week, rem = divmod(t - _MONDAY0, _WEEK)
    hour = rem // 3600
    return week * _WEEK_A + _CUM[hour] + _W[hour] * (rem - hour * 3600)


def _real(a: float) -> int:
    """Inverse of ``_activity``."""
    week, rem = divmod(a, _WEEK_A)
    hour = min(bisect_right(_CUM, rem) - 1, 167)
    return int(_MONDAY0 + week * _WEEK + hour * 3600 + (rem - _CUM[hour]) / _W[hour])


# ----------------------------------------------------------------------------------- subjects


@dataclass(frozen=True)
class Subject:
    """One synthetic person; ``email`` and ``phone`` are stored in canonical form."""

    customer_id: str
    name: str
    email: str
    phone: str
    address: str
    handle: str | None

    def identifiers(self) -> list[str]:
        """The subject's identifiers in canonical form (``kind:value``)."""
        return [
            f"customer:{self.customer_id}",
            f"email:{self.email.lower()}",
            f"phone:{self.phone}",
        ]


def _mix(x: int) -> int:
    """SplitMix64 finaliser: a well-spread 64-bit hash of ``x``."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _phone_spelling(groups: tuple[str, ...], style: int) -> str:
    """One spelling of a UK number: 0 is E.164, 1-5 common national and international forms."""
    if style == 0:
        return "+44" + "".join(groups)
    head, rest = groups[0], groups[1:]
    if style == 1:
        return "0" + " ".join(groups)
    if style == 2:
        return "+44 (0)" + " ".join(groups)
    if style == 3:
        if len(rest) == 1:
            return f"0{head}-{rest[0][:3]}-{rest[0][3:]}"
        return "0" + "-".join(groups)
    if style == 4:
        return "+44 " + " ".join(groups)
    if head.startswith("7"):
        return "0" + "".join(groups)
    return f"(0{head}) {' '.join(rest)}"


def _email_spelling(parts: tuple[str, str, str, int, str], style: int) -> str:
    """One spelling of an address: 0 is canonical (lower case), 1-4 case variants."""
    first, last, sep, num, domain = parts
    if style == 4:
        return f"{first}{sep}{last}{num}@{domain}".upper()
    local = f"{first.title()}{sep}{last.title()}{num}" if style in (1, 3) else (f"{first}{sep}{last}{num}")
    return f"{local}@{domain[0].upper() + domain[1:] if style >= 2 else domain}"


class _Person:
    """A subject plus what the generator needs to write to them."""

    __slots__ = (
        "acct",
        "address",
        "card",
        "cid",
        "ctx",
        "email",
        "email_parts",
        "first",
        "groups",
        "handle",
        "k",
        "large_print",
        "mobile",
        "name",
        "phone",
        "vulnerable",
        "welsh",
    )

    def __init__(
        self,
        k: int,
        name: str,
        first: str,
        email_parts: tuple[str, str, str, int, str],
        groups: tuple[str, ...],
        address: str,
        handle: str | None,
        bits: int,
    ) -> None:
        self.k = k
        self.cid = cid = "C-" + str(1001 + k)
        self.name, self.first, self.email_parts, self.groups = name, first, email_parts, groups
        self.email = _email_spelling(email_parts, 0)
        self.phone = "+44" + "".join(groups)
        self.address, self.handle = address, handle
        self.mobile = groups[0] == "7700"
        self.acct = acct = _D4[bits % 10000]
        self.card = card = _D4[(bits >> 14) % 10000]
        self.vulnerable = (bits >> 28) % 25 == 0
        self.large_print = self.vulnerable and (bits >> 33) % 3 == 0
        self.welsh = False
        self.ctx = {
            "name": name,
            "first": first,
            "cid": cid,
            "acct": acct,
            "card": card,
            "address": address,
            "ref": cid + "/" + acct,
        }

    @property
    def subject(self) -> Subject:
        return Subject(self.cid, self.name, self.email, self.phone, self.address, self.handle)


class _Population:
    """Subjects 0..size-1 of one seed, computed on demand and cached in bounded memory."""

    def __init__(self, seed: int, size: int) -> None:
        self.size = size
        self._salt = _mix((seed & _MASK) ^ 0x5EED5EED)
        self._mult = next(p for p in (1_000_003, 1_000_033, 1_000_037) if size % p)
        self._off = _mix(self._salt ^ 1) % size
        self._mobiles = min(1000, (3 * size + 3) // 4)
        self._cache: dict[int, _Person] = {}
        self._older: dict[int, _Person] = {}

    def person(self, k: int, keep: bool = True) -> _Person:
        """Subject ``k``. Two cache generations of 8,192 approximate LRU in bounded memory;
        ``keep=False`` (one-off recipients of a mailing) leaves the cache as it is."""
        p = self._cache.get(k)
        if p is None:
            if not keep:
                return self._older.get(k) or self._make(k)
            p = self._older.get(k) or self._make(k)
            if len(self._cache) >= 8192:
                self._older, self._cache = self._cache, {}
            self._cache[k] = p
        return p

    def _phone(self, k: int) -> tuple[str, ...]:
        """Number groups: unique up to 16,000 subjects, then shared by a few."""
        j = (k * self._mult + self._off) % self.size
        mobiles = self._mobiles
        if self.size > _PHONE_POOL:
            j, mobiles = j % _PHONE_POOL, 1000
        if j < mobiles:
            return (_MOBILE[0], _MOBILE[1] + _D3[(j * 37 + self._salt) % 1000])
        j -= mobiles
        groups = _LANDLINES[j % len(_LANDLINES)]
        last = groups[-1] + _D3[(j // len(_LANDLINES) * 613 + self._salt) % 1000]
        return (*groups[:-1], last)

    def _make(self, k: int) -> _Person:
        h1 = _mix(self._salt + 2 * k)
        h2 = (h1 * 0xD6E8FEB86659FD93 & _MASK) ^ (h1 >> 29)
        name, first, fa, la = _NAMES[h1 % len(_NAMES)]
        num, style, domain = k + 1, (h1 >> 32) % 4, _DOMAINS[(h1 >> 24) % len(_DOMAINS)]
        parts = (
            (fa, la, ".", num, domain)
            if style == 0
            else (fa, la, "", num, domain)
            if style == 1
            else (fa[0], la, ".", num, domain)
            if style == 2
            else (la, fa, "_", num, domain)
        )
        street, wales = _STREET_TOWNS[(h2 >> 8) % len(_STREET_TOWNS)]
        address = (
            _FLATS[(h2 >> 44) % 72]
            + str((h2 >> 4) % 180 + 1)
            + street
            + str((h2 >> 24) % 20 + 1)
            + _INWARD[(h2 >> 30) % 4000]
        )
        p = _Person(
            k,
            name,
            first,
            parts,
            self._phone(k),
            address,
            f"@{fa}_{la}{num}" if (h1 >> 40) % 10 < 3 else None,
            h2,
        )
        p.welsh = wales and (h1 >> 44) % 3 == 0
        return p


def subjects(count: int, *, seed: int = 0) -> list[Subject]:
    """The ``count`` subjects that ``records(..., seed=seed, subjects=count)`` writes to."""
    if count < 1:
        raise ValueError("count must be at least 1")
    population = _Population(seed, count)
    return [population.person(k).subject for k in range(count)]


# ---------------------------------------------------------------------------------- the engine

_TOPICS = [
    (
        "replacing a damaged card",
        "We've ordered a replacement card; it will arrive within five "
        "working days and your PIN stays the same.",
    ),
    (
        "changing a standing order",
        "You can change or cancel a standing order in the app under "
        "Payments; changes made before 8pm take effect the same day.",
    ),
    (
        "sending money abroad",
        "International payments can be made in the app in 30 currencies; "
        "we'll show you the exchange rate and any fee before you confirm.",
    ),
    (
        "opening a joint account",
        "You can add a second account holder in the app; they'll need "
        "to confirm their identity with photo ID.",
    ),
    (
        "your ISA allowance",
        "The ISA allowance is £20,000 for this tax year, and you can split "
        "it between different types of ISA.",
    ),
    (
        "registering a power of attorney",
        "Please send us the registered Lasting Power of "
        "Attorney or a certified copy, and we'll confirm when it has been added.",
    ),
    (
        "a missing refund",
        "The retailer's refund reached your account this morning; it can take "
        "up to five working days to appear after they issue it.",
    ),
    (
        "closing your account",
        "We've closed the account as you asked and sent the balance to your nominated account.",
    ),
]
# (product, what the complaint is about, what happened: it reads after "that")
_COMPLAINT_TOPICS = [
    (
        "current account",
        "a card payment taken twice",
        "the same card payment was taken twice and the second one was not refunded",
    ),
    (
        "mortgage",
        "how the monthly payment was calculated",
        "the monthly payment went up without the notice that was expected",
    ),
    (
        "credit card",
        "the interest we charged",
        "interest was charged even though the balance had been paid in full",
    ),
    (
        "savings account",
        "the delay in closing the account",
        "it took three weeks to close the account and release the money",
    ),
    (
        "current account",
        "the service in our Leeds branch",
        "there was a long wait and then wrong information about a transfer",
    ),
    ("home insurance policy", "how we handled the claim", "the claim was delayed for weeks"),
    (
        "Stocks and Shares ISA",
        "the transfer from another provider",
        "the ISA transfer took more than two months",
    ),
    (
        "personal loan",
        "a missed payment reported to credit reference agencies",
        "a payment was reported as missed although a payment break had been agreed",
    ),
]
_FINDINGS = [
    "We've listened to our call recordings and checked our records. They show that we didn't "
    "follow our own process, and we should have spotted the problem sooner.",
    "We've reviewed your account history in detail. A system error on our side caused the "
    "problem, and it has now been fixed for you and for other affected customers.",
    "We've looked carefully at what happened. Our records show that we followed the terms and "
    "conditions of your account and gave you the right information at the time.",
]
_DECISIONS = {
    "upheld": "We uphold your complaint. We're sorry for what happened and for the "
    "inconvenience it caused you.",
    "partly upheld": "We partly uphold your complaint. We got some things wrong, and we're "
    "sorry for that, but we don't agree with every part of your complaint.",
    "not upheld": "We don't uphold your complaint. We understand this isn't the answer you "
    "hoped for, and we've explained our reasons above.",
}
_HOLDS = [
    "We're waiting for information from our card scheme provider, which we need before we can "
    "reach a decision.",
    "We're listening to the call recordings you mentioned and checking them against our records.",
    "Your complaint involves several of our teams, and we want to make sure we've looked at "
    "everything properly.",
]
_CALL_OUTCOMES = [
    ("failed", "No answer. No voicemail left (risk of disclosing debt to a third party)."),
    ("failed", "Number engaged. Will retry tomorrow."),
    (
        "delivered",
        "Right-party contact with {name}; security passed. Customer said {reason}. "
        "Agreed to pay {plan} by {due}.",
    ),
    (
        "delivered",
        "Right-party contact with {name}; security passed. Customer said {reason}. "
        "Offered breathing space and an income and expenditure review.",
    ),
]
_REASONS = [
    "their hours at work had been cut",
    "they had been unwell for several weeks",
    "a bill had gone out earlier than expected",
    "they had recently separated",
    "they had forgotten to move money across",
]
_FRAUD = {
    "card": (
        "card fraud",
        "Customer confirmed they did not make the payments to {merchant} and "
        "still has the card; card details were probably taken online.",
        "cancelled and a replacement ordered.",
        "We've refunded {amount} to your account ending {acct}. The card has been "
        "cancelled and your new card will arrive within five working days.",
    ),
    "app": (
        "an authorised push payment scam",
        "Customer was contacted by someone claiming to "
        "be from the bank's security team and moved {amount} to a 'safe account'.",
        "unaffected; online banking password reset.",
        "Under the reimbursement rules for authorised push payment scams, we've refunded "
        "{amount} to your account ending {acct}, within five business days of your claim. "
        "We've also reported the receiving account to the bank that holds it.",
    ),
}
_WRAPPERS = [
    "Stocks and Shares ISA",
    "General Investment Account",
    "Self-Invested Personal Pension",
]
_DEVICES = ["an iPhone", "an Android phone", "a Windows computer", "a Mac", "an iPad"]
_OTP_ACTIONS = [
    "log in to online banking",
    "add a new payee",
    "change your phone number",
    "set up a new device",
]
_CHANGES = [
    "- We're changing how we charge for using your debit card abroad.\n- We're removing paper "
    "statements for accounts registered for online banking.",
    "- Unarranged overdraft limits will be reviewed every year.\n- We're updating how we "
    "process payments made on bank holidays.",
    "- New rules on how quickly we must tell you about payments we block.\n- Clearer wording "
    "about joint accounts and third-party access.",
]
_SERVICE_CHANNELS = (
    ("email", 0.45),
    ("chat", 0.25),
    ("in_app", 0.1),
    ("letter", 0.08),
    ("social", 0.12),
)
_CAMPAIGN_CHANNELS = (("email", 0.6), ("sms", 0.2), ("push", 0.12), ("letter", 0.08))
_PRIMES = (1_000_003, 1_000_033, 1_000_037, 1_000_039)
# Open cases and batches are the generator's only growing state (about 800 at a million
# records over three years). Past this many, new triggers become single communications.
_MAX_OPEN = 5_000


class _Register:
    """One deterministic stream of ``n`` records; see the module docstring."""

    def __init__(self, n: int, seed: int, size: int, start: int, end: int) -> None:
        self._n, self._size, self._start, self._end = n, size, start, end
        self._rng = random.Random(seed)
        self._r = self._rng.random
        self._pop = _Population(seed, size)
        self._salt = _mix((seed & _MASK) ^ 0x1D5)
        self._a_now, self._a_end = _activity(start), _activity(end)
        per_day = n / max(1.0, (end - start) / _DAY)
        self._batch = max(5.0, 2.0 * per_day)
        self._heap: list[tuple[int, int, _Thunk, Iterator[_Step]]] = []
        self._seq = self._pending = 0
        self._ids: dict[str, int] = {}
        self._cases: dict[str, int] = {}
        self._plan()

    # pacing ------------------------------------------------------------------------------

    def _plan(self) -> None:
        """Choose flow probabilities so that each flow gets its share of *records*."""
        b = self._batch
        table: list[tuple[Callable[[int], Record | None], float, float]] = [
            (self._otp, 0.11, 1),
            (self._card_alert, 0.08, 1),
            (self._payment, 0.04, 1),
            (self._overdraft, 0.015, 1),
            (self._service, 0.08, 1),
            (self._password, 0.02, 1),
            (self._address, 0.012, 1),
            (self._card_sent, 0.012, 1),
            (self._mortgage, 0.035, 1),
            (self._trade, 0.04, 1),
            (self._adviser_call, 0.015, 1),
            (self._suitability, 0.008, 1),
            (self._depreciation, 0.003, 1),
            (self._renewal, 0.025, 1),
            (self._claim, 0.015, 1),
            (self._complaint, 0.05, 3.2),
            (self._collections, 0.06, 4.5),
            (self._fraud, 0.035, 2.6),
            (self._dsar, 0.006, 2),
            (self._litigation, 0.006, 1.7),
            (self._campaign, 0.2, b),
            (self._statements, 0.08, b),
            (self._rate_change, 0.02, b),
            (self._valuations, 0.015, b),
            (self._costs, 0.008, b),
            (self._terms, 0.01, b),
        ]
        weights = [share / steps for _, share, steps in table]
        total = sum(weights)
        self._flows = [flow for flow, _, _ in table]
        self._singles = sum(steps == 1 for _, _, steps in table)  # they come first
        self._cum = [w / total for w in accumulate(weights)]
        self._per_fresh = sum(share for _, share, _ in table) / total

    def _next_fresh(self, emitted: int) -> int | None:
        """Time of the next fresh trigger, or None when the budget is all scheduled."""
        left = self._n - emitted - self._pending
        if left <= 0:
            return None
        room = self._a_end - self._a_now
        a = self._a_now + room / max(1.0, left / self._per_fresh) * self._rng.expovariate(1.0)
        if a >= self._a_end:
            a = self._a_now + room * 0.5 * self._r()
        self._a_now = a
        return max(self._start, min(_real(a), self._end - 1))

    def __iter__(self) -> Iterator[Record]:
        heap, pop, push = self._heap, heapq.heappop, heapq.heappush
        flows, cum, r = self._flows, self._cum, self._r
        emitted = 0
        fresh = self._next_fresh(0)
        while emitted < self._n:
            if heap and (fresh is None or heap[0][0] <= fresh):
                _, _, thunk, steps = pop(heap)
                self._pending -= 1
                following = next(steps, None)
                if following is not None:
                    push(heap, (following[0], self._seq, following[1], steps))
                    self._seq += 1
                emitted += 1
                yield thunk()
                continue
            if fresh is None:  # only if a flow miscounted its steps; never expected
                self._pending = 0
                fresh = self._next_fresh(emitted)
                continue
            i = min(bisect_right(cum, r()), len(flows) - 1)
            if i >= self._singles and len(heap) >= _MAX_OPEN:
                i = int(r() * self._singles)  # keep memory bounded at extreme densities
            record = flows[i](fresh)
            if record is not None:
                emitted += 1
            fresh = self._next_fresh(emitted)
            if record is not None:
                yield record

    def _schedule(self, plans: list[_Plan]) -> None:
        """Queue the records of one case in the order given, each at least a minute after the
        one before (a weekend can move two steps onto one Monday); those after ``end`` are
        dropped."""
        steps: list[_Step] = []
        last = 0
        for t, tpl_id, channel, p, ctx, kwargs in plans:
            t = max(t, last + 60)
            if t >= self._end:
                break
            steps.append((t, partial(self._rec, t, _T[tpl_id], channel, p, ctx, **kwargs)))
            last = t
        self._queue(len(steps), iter(steps))

    def _queue(self, count: int, steps: Iterator[_Step]) -> None:
        first = next(steps, None) if count else None
        if first is None:
            return
        self._pending += count
        heapq.heappush(self._heap, (first[0], self._seq, first[1], steps))
        self._seq += 1

    # small helpers -------------------------------------------------------------------------

    def _pick(self, seq: Sequence[_Item]) -> _Item:
        return seq[int(self._r() * len(seq))]

    def _choose(self, odds: tuple[tuple[str, float], ...]) -> str:
        """One of the options, each with its probability (the last takes what is left)."""
        x = self._r()
        for option, p in odds:
            x -= p
            if x < 0:
                return option
        return odds[-1][0]

    def _class(self, q: int, c: int) -> tuple[int, int, int]:
        """``(q, c, members)`` of the customers with ``k % q == c`` (wealth clients are
        ``k % 7 == 3``, mortgage holders ``k % 3 == 1``, insurance ``k % 4 == 2``); everyone
        when the population is too small to have such customers."""
        if c >= self._size:
            return 1, 0, self._size
        return q, c, (self._size - 1 - c) // q + 1

    def _any(self, q: int = 1, c: int = 0) -> _Person:
        """A subject from class ``k % q == c``: 80% of picks go to the most active fifth of
        customers (the lower indices, busiest first), the rest to anyone."""
        q, c, members = self._class(q, c)
        x = self._r()
        i = (members + 4) // 5 * (x * 1.25) ** 1.3 if x < 0.8 else members * (x - 0.8) * 5
        return self._pop.person(c + q * int(i))

    def _money(self, lo: float, hi: float) -> str:
        return f"£{lo + (hi - lo) * self._r() ** 2:,.2f}"

    def _rate(self, lo: float, hi: float) -> str:
        return f"{lo + (hi - lo) * self._r():.2f}%"

    def _agent(self, dept: str) -> int:
        first, count = _AGENTS[dept]
        return first + int(self._r() * count)

    def _office(self, d: int, back: bool = False) -> int:
        """A time in office hours (09:00-17:30) on day ``d``, moved off the weekend."""
        weekday = _day(d).weekday
        if weekday >= 5:
            d += (4 - weekday) if back else (7 - weekday)
        return d * _DAY + 32_400 + int(self._r() * 30_600)

    def _case_id(self, prefix: str) -> str:
        count = self._cases.get(prefix)
        if count is None:
            count = 100 + _mix(self._salt ^ zlib.crc32(prefix.encode())) % 900
        self._cases[prefix] = count + 1
        return f"{prefix}-{count:06d}"

    def _next_id(self, system: str) -> str:
        count = self._ids.get(system)
        if count is None:
            count = 10_000 + _mix(self._salt ^ zlib.crc32(system.encode())) % 3_000_000
        self._ids[system] = count + 1
        return f"{system}-{count:08d}"

    def _extras(self, purpose: str) -> str:
        x = self._r()
        if x < 0.45 or purpose == "marketing":
            return ""
        pool = _EXTRAS.get(purpose) or _EXTRAS[""]
        if x < 0.85:
            return self._pick(pool) + "\n\n"
        return self._pick(pool) + "\n\n" + self._pick(_EXTRAS[""]) + "\n\n"

    # records -----------------------------------------------------------------------------

    def _rec(
        self,
        t: int,
        tpl: _Tpl,
        channel: str,
        p: _Person,
        ctx: dict[str, str],
        *,
        agent: int | None = None,
        system: str | None = None,
        case: dict[str, str] | None = None,
        follow_up: dict[str, str] | None = None,
        campaign: str | None = None,
        tags: tuple[str, ...] = (),
        status: str | None = None,
        dept: str | None = None,
    ) -> Record:
        """Render one record of ``tpl`` to ``p`` at ``t``."""
        r = self._r
        shape = _SHAPES.get((tpl.id, channel)) or _shape(tpl, channel)
        long, formats, subject, (cum, statuses) = shape
        dept = dept or tpl.department
        if system is None:
            system = "crm" if agent is not None and channel == "email" else _SYSTEMS[channel]
        stamp, day, hm = _stamp(t, system in _LOCAL_TIME_SYSTEMS)
        phone = p.phone if r() < 0.5 else _phone_spelling(p.groups, 1 + int(r() * 5))
        signer, label, line = _signature(dept, agent)
        c = {
            **p.ctx,
            "phone_shown": phone,
            "long_date": day.long,
            "hm": hm,
            "signer": signer,
            "agent_label": label,
            "dept": line,
            "extras": self._extras(tpl.purpose) if long else "",
            **ctx,
        }
        welsh = p.welsh and long
        body = formats[welsh].format_map(c)
        if len(body) < 200:
            body += _SHORT_FOOTER
        sender = (
            {"department": dept, "system": system}
            if agent is None
            else {"department": dept, "agent": f"u-{agent}", "system": system}
        )
        rec: Record = {
            "id": self._next_id(system),
            "sent_at": stamp,
            "channel": channel,
            "purpose": tpl.purpose,
            "recipient": self._recipient(p, channel, phone),
            "sender": sender,
        }
        if subject:
            rec["subject"] = subject.format_map(c)
        rec["body"] = body
        if tpl.attach and long and channel != "chat" and r() < tpl.attach:
            rec["attachments"] = [_attachment(tpl, rec.get("subject", tpl.id), body, c)]
        rec["template_id"] = tpl.id
        if campaign:
            rec["campaign_id"] = campaign
        if case:
            rec["case"] = dict(case)
        if follow_up:
            rec["follow_up"] = dict(follow_up)
        rec["status"] = status or statuses[bisect_right(cum, r())]
        all_tags = tpl.tags + tags if tags else tpl.tags
        if p.vulnerable and tpl.purpose != "marketing":
            all_tags += ("vulnerable", "large-print") if p.large_print else ("vulnerable",)
        if welsh:
            all_tags += ("welsh",)
        if all_tags:
            rec["tags"] = list(dict.fromkeys(all_tags)) if tags else list(all_tags)
        return rec

    def _recipient(self, p: _Person, channel: str, phone: str) -> dict[str, str]:
        """The identifiers a channel uses, usually with customer id and name."""
        r = self._r
        cid_odds, email_odds, phone_odds = _RECIPIENT_ODDS[channel]
        rcp: dict[str, str] = {"customer_id": p.cid} if r() < cid_odds else {}
        if r() < 0.97:
            rcp["name"] = p.name
        if email_odds and r() < email_odds:
            rcp["email"] = p.email if r() < 0.55 else _email_spelling(p.email_parts, 1 + int(r() * 4))
        if phone_odds and r() < phone_odds:
            rcp["phone"] = phone
        if channel == "letter":
            rcp["address"] = p.address
        elif channel == "social" and p.handle:
            rcp["handle"] = p.handle
        return rcp

    # single communications ---------------------------------------------------------------

    def _otp(self, t: int) -> Record:
        p = self._any()
        action = (
            f"approve a payment of {self._money(5, 900)} to {self._pick(_MERCHANTS)}"
            if self._r() < 0.4
            else self._pick(_OTP_ACTIONS)
        )
        ctx = {"otp": f"{int(self._r() * 1e6):06d}", "action": action}
        if p.mobile or self._r() < 0.5:
            return self._rec(t, _T["otp-sms-v2"], "sms" if p.mobile else "push", p, ctx)
        ctx["otp_spaced"] = " ".join(ctx["otp"])
        return self._rec(t, _T["otp-voice-v1"], "phone", p, ctx, system="ivr", status="delivered")

    def _card_alert(self, t: int) -> Record:
        p = self._any()
        ctx = {
            "amount": self._money(1, 600),
            "merchant": self._pick(_MERCHANTS),
            "amount2": self._money(0, 4000),
        }
        return self._rec(t, _T["txn-alert-v3"], "sms" if p.mobile else "push", p, ctx)

    def _payment(self, t: int) -> Record:
        p = self._any()
        ctx = {
            "amount": self._money(5, 2500),
            "payee": self._pick(_PAYEES),
            "pref": self._pick(["RENT", "Council tax", "Thanks!", "Invoice 2231", "Holiday"]),
        }
        return self._rec(t, _T["pay-conf-v2"], "email" if self._r() < 0.5 else "push", p, ctx)

    def _overdraft(self, t: int) -> Record:
        p = self._any()
        ctx = {"amount": self._money(1, 300), "fee": self._pick(["£5.00", "£6.00", "£10.00"])}
        return self._rec(t, _T["od-alert-v1"], "sms" if p.mobile else "push", p, ctx)

    def _service(self, t: int) -> Record:
        p = self._any()
        topic, answer = self._pick(_TOPICS)
        channel = self._choose(_SERVICE_CHANNELS)
        if channel == "social" and not p.handle:
            channel = "email"
        return self._rec(
            t,
            _T["cs-reply-v5"],
            channel,
            p,
            {"topic": topic, "answer": answer},
            agent=self._agent("Customer Service"),
        )

    def _password(self, t: int) -> Record:
        p = self._any()
        ctx = {"device": self._pick(_DEVICES), "city": self._pick(_TOWNS)[0]}
        return self._rec(t, _T["pwd-reset-v2"], "email", p, ctx)

    def _address(self, t: int) -> Record:
        p = self._any()
        return self._rec(
            t,
            _T["addr-chg-v1"],
            "letter" if self._r() < 0.7 else "email",
            p,
            {},
            agent=self._agent("Customer Service"),
        )

    def _card_sent(self, t: int) -> Record:
        p = self._any()
        return self._rec(t, _T["card-disp-v1"], "letter", p, {"date2": _day(t // _DAY + 10).long})

    def _mortgage(self, t: int) -> Record:
        p, agent, d = self._any(3, 1), self._agent("Mortgages"), t // _DAY
        if self._r() < 0.6:
            ctx = {
                "date2": _day(d + 3 + int(self._r() * 10)).long,
                "appt": self._pick(["09:30", "11:00", "13:30", "15:00", "17:30"]),
                "mode": self._pick(["video call", "phone", "appointment in branch"]),
            }
            channel = "sms" if p.mobile and self._r() < 0.4 else "email"
            return self._rec(t, _T["mtg-appt-v2"], channel, p, ctx, agent=agent)
        ctx = {
            "offer": f"MO-{int(self._r() * 1e7):07d}",
            "amount": self._money(80_000, 600_000),
            "property": p.address,
            "term": str(self._pick([20, 25, 30, 35])),
            "rate": self._rate(3.6, 5.4),
            "date2": _day(d + 800).long,
            "svr": "7.49%",
            "amount2": self._money(500, 3200),
            "fee": self._pick(["£0", "£999", "£1,499"]),
            "date3": _day(d + 180).long,
        }
        return self._rec(t, _T["mtg-offer-v3"], "letter" if self._r() < 0.5 else "email", p, ctx, agent=agent)

    def _trade_ctx(self, d: int) -> dict[str, str]:
        fund, isin = self._pick(_FUNDS)
        return {
            "fund": fund,
            "isin": isin,
            "wrapper": self._pick(_WRAPPERS),
            "units": f"{1 + self._r() * 5000:,.3f}",
            "side": self._pick(["buy", "sell"]),
            "date2": _day(d + 2).long,
        }

    def _trade(self, t: int) -> Record:
        p, d = self._any(7, 3), t // _DAY
        ctx = self._trade_ctx(d)
        lines = []
        for _ in range(1 if self._r() < 0.97 else 5 + int(self._r() * 40)):
            fund, isin = self._pick(_FUNDS)
            lines.append(
                f"{self._pick(['Bought', 'Sold'])} {1 + self._r() * 5000:,.3f} units of "
                f"{fund} (ISIN {isin}) at {0.5 + self._r() * 5:.4f} GBP: consideration "
                f"{self._money(50, 50_000)}; dealing charge {self._money(0, 12)}."
            )
        ctx.update(
            cnote=f"CN{int(self._r() * 1e8):08d}",
            trades="\n".join(lines),
            venue=self._pick(
                [
                    "London Stock Exchange",
                    "fund manager (dealing at the next valuation point)",
                    "Aquis Exchange",
                ]
            ),
        )
        return self._rec(
            t,
            _T["mifid-tc-v3"],
            "email" if self._r() < 0.8 else "letter",
            p,
            ctx,
            system="wealth-platform",
        )

    def _adviser_call(self, t: int) -> Record:
        p = self._any(7, 3)
        ctx = self._trade_ctx(t // _DAY)
        ctx["rec"] = f"REC-{int(self._r() * 1e8):08d}"
        return self._rec(
            t,
            _T["mifid-call-v2"],
            "phone",
            p,
            ctx,
            agent=self._agent("Wealth Management (MiFID)"),
            status="delivered",
        )

    def _suitability(self, t: int) -> Record:
        p = self._any(7, 3)
        ctx = self._trade_ctx(t // _DAY - 3 - int(self._r() * 10))
        ctx.update(
            objective=self._pick(
                [
                    "to grow your savings for retirement in about 15 years",
                    "to provide an income of about £6,000 a year",
                    "to build a fund for your children's education",
                ]
            ),
            risk=self._pick(["cautious (3 out of 7)", "balanced (4 out of 7)", "adventurous (6 out of 7)"]),
            capacity=self._pick(["low", "medium", "high"]),
            amount=self._money(5_000, 250_000),
            ocf=self._rate(0.15, 0.9),
            fee=self._money(250, 2_500),
        )
        return self._rec(
            t,
            _T["mifid-suit-v4"],
            "email" if self._r() < 0.6 else "letter",
            p,
            ctx,
            agent=self._agent("Wealth Management (MiFID)"),
        )

    def _depreciation(self, t: int) -> Record:
        p = self._any(7, 3)
        before = 20_000 + self._r() * 400_000
        pct = 10 + int(self._r() * 15)
        ctx = {
            "wrapper": self._pick(_WRAPPERS),
            "pct": str(pct),
            "amount": f"£{before:,.2f}",
            "amount2": f"£{before * (100 - pct) / 100:,.2f}",
        }
        return self._rec(t, _T["mifid-depr-v1"], "email", p, ctx, system="wealth-platform")

    def _renewal(self, t: int) -> Record:
        p = self._any(4, 2)
        ctx = {
            "cover": self._pick(["home", "contents", "car", "travel"]),
            "policy": f"POL-{int(self._r() * 1e7):07d}",
            "date2": _day(t // _DAY + 24).long,
            "premium_new": self._money(90, 1400),
            "premium_old": self._money(90, 1300),
        }
        return self._rec(t, _T["ins-renew-v3"], "email" if self._r() < 0.65 else "letter", p, ctx)

    def _claim(self, t: int) -> Record:
        p, x = self._any(4, 2), self._r()
        ctx = {
            "cover": self._pick(["home", "contents", "car", "travel"]),
            "claim": f"CLM-{int(self._r() * 1e7):07d}",
            "date2": _day(t // _DAY - 3 - int(self._r() * 40)).long,
            "update": self._pick(
                [
                    "our loss adjuster will visit on Thursday between 9am and 1pm.",
                    "we've approved your claim and will pay the settlement within five days.",
                    "we're waiting for the repair estimate from the garage.",
                    "we need photographs of the damage before we can go further.",
                ]
            ),
        }
        if x < 0.2:
            return self._rec(t, _T["ins-claim-v2"], "phone", p, ctx, agent=self._agent("Insurance"))
        return self._rec(t, _T["ins-claim-v2"], "sms" if x < 0.5 and p.mobile else "email", p, ctx)

    # cases ---------------------------------------------------------------------------------

    @staticmethod
    def _step(t: int, tpl_id: str, channel: str, p: _Person, ctx: dict[str, str], **kwargs: Any) -> _Plan:
        """One planned record of a case: when, what, to whom, and the arguments of ``_rec``."""
        return t, tpl_id, channel, p, ctx, kwargs

    def _complaint(self, t0: int) -> None:
        """Acknowledgement, calls, holding letter, final response within 8 weeks (DISP 1.6)."""
        r, p, d0 = self._r, self._any(), t0 // _DAY
        product, issue, detail = self._pick(_COMPLAINT_TOPICS)
        ref = self._case_id("CMP")
        case = {"id": ref, "type": "complaint", "received_at": _ts(t0)}
        ctx = {
            "ref": ref,
            "product": product,
            "issue": issue,
            "detail": detail,
            "received": _day(d0).long,
            "deadline": _day(d0 + 56).long,
        }
        channel = "letter" if r() < (0.6 if p.vulnerable else 0.3) else "email"
        kw: dict[str, Any] = {"agent": self._agent("Complaints"), "case": case}
        if r() < 0.2:
            ctx["resolution"] = self._pick(
                [
                    "we've refunded the duplicate payment and added £25 for the trouble caused.",
                    "we've corrected the error on your account and refunded the charges.",
                    "we've explained how the charge was worked out and you were happy with that.",
                ]
            )
            self._schedule(
                [self._step(self._office(d0 + 1 + int(r() * 2)), "cmp-src-v2", channel, p, ctx, **kw)]
            )
            return
        ack = t0 + 1800 + int(r() * 7200) if r() < 0.3 else self._office(d0 + 1 + int(r() * 2))
        ack_day = ack // _DAY
        fu = (
            {
                "action": f"Call customer to discuss complaint {ref}",
                "due": _day(ack_day + 3 + int(r() * 4)).iso,
            }
            if r() < 0.5
            else None
        )
        steps = [self._step(ack, "cmp-ack-v3", channel, p, ctx, follow_up=fu, **kw)]
        late = r() < 0.06
        final_day = d0 + 53 if late else d0 + 6 + int(r() * r() * 47)
        if final_day - ack_day >= 3 and r() < 0.45:
            call_day = ack_day + 1 + int(r() * min(8, final_day - ack_day - 2))
            mood = self._pick(["was reassured", "remained unhappy", "asked for a quick decision"])
            steps.append(
                self._step(
                    self._office(call_day),
                    "cmp-call-v1",
                    "phone",
                    p,
                    {**ctx, "mood": mood},
                    status="delivered",
                    **kw,
                )
            )
        hold = {**ctx, "hold": self._pick(_HOLDS), "date2": _day(d0 + 70).long}
        if final_day - d0 > 30:
            steps.append(
                self._step(self._office(d0 + 26 + int(r() * 3)), "cmp-hold-v2", channel, p, hold, **kw)
            )
        if late:
            steps.append(self._step(self._office(d0 + 55, back=True), "cmp-8wk-v1", channel, p, hold, **kw))
        else:
            steps.append(self._final_response(final_day, channel, p, ctx, kw))
        self._schedule(steps)

    def _final_response(
        self, day: int, channel: str, p: _Person, ctx: dict[str, str], kw: dict[str, Any]
    ) -> _Plan:
        outcome = self._pick(["upheld", "upheld", "partly upheld", "not upheld", "not upheld"])
        final = {
            **ctx,
            "finding": self._pick(_FINDINGS[:2] if outcome != "not upheld" else _FINDINGS[2:]),
            "decision": _DECISIONS[outcome],
            "redress": "",
        }
        fu = None
        tags: tuple[str, ...] = ()
        if outcome != "not upheld":
            redress = self._money(25, 1500)
            final["redress"] = (
                f"Putting things right\nWe'll pay {redress} into your account "
                f"ending {p.acct} within five working days. This includes "
                "interest at 8% a year simple and an amount for the distress "
                "and inconvenience caused.\n\n"
            )
            fu = {
                "action": f"Pay redress of {redress} to account ending {p.acct}",
                "due": _day(day + 5 + int(self._r() * 5)).iso,
            }
            tags = ("redress",)
        return self._step(self._office(day), "cmp-frl-v5", channel, p, final, follow_up=fu, tags=tags, **kw)

    def _collections(self, t0: int) -> None:
        """Reminder, dialler calls, arrears notice, then a plan, payment or default notice."""
        r, p, d0 = self._r, self._any(), t0 // _DAY
        ref = self._case_id("COL")
        kw: dict[str, Any] = {"case": {"id": ref, "type": "collections", "received_at": _ts(t0)}}
        agent = self._agent("Collections")
        ctx = {
            "ref": ref,
            "product": self._pick(_CREDIT),
            "amount": self._money(25, 900),
            "due": _day(d0 - 1 - int(r() * 3)).long,
            "plan": self._money(20, 150),
        }
        day = d0 + 2 + int(r() * 3)
        steps = [self._step(self._office(day), "col-rem-v2", "sms" if p.mobile else "email", p, ctx, **kw)]
        for attempt in range(1, int(r() * 4) + 1):
            day += 1 + int(r() * 3)
            status, outcome = self._pick(_CALL_OUTCOMES)
            note = outcome.format(
                name=p.name, reason=self._pick(_REASONS), plan=ctx["plan"], due=_day(day + 7).long
            )
            steps.append(
                self._step(
                    self._office(day),
                    "col-call-v3",
                    "phone",
                    p,
                    {**ctx, "attempt": str(attempt), "outcome": note},
                    agent=agent,
                    system="dialler",
                    status=status,
                    **kw,
                )
            )
        if r() < 0.7:
            day += 3 + int(r() * 5)
            steps.append(
                self._step(self._office(day), "col-nosia-v1", "letter", p, {**ctx, "missed": "2"}, **kw)
            )
        x = r()
        email = "letter" if p.vulnerable or r() < 0.4 else "email"
        if x < 0.25:
            talk = day + 2 + int(r() * 5)
            fu = {"action": "Chase income and expenditure form", "due": _day(talk + 14).iso}
            steps.append(
                self._step(
                    self._office(talk),
                    "col-ie-v1",
                    email,
                    p,
                    {**ctx, "date2": _day(talk).long, "due": _day(talk + 14).long},
                    agent=agent,
                    follow_up=fu,
                    **kw,
                )
            )
            day = talk + 12 + int(r() * 10)
        if x < 0.65:
            day += 4 + int(r() * 15)
            ctx2 = {**ctx, "date2": _day(day - 1).long, "due": _day(day + 14).long}
            steps.append(self._step(self._office(day), "col-arr-v2", email, p, ctx2, agent=agent, **kw))
        elif x < 0.85:
            day = max(day + 14, d0 + 55 + int(r() * 15))
            ctx2 = {**ctx, "due": _day(day + 21).long, "amount2": self._money(900, 12_000)}
            steps.append(self._step(self._office(day), "col-dn-v3", "letter", p, ctx2, **kw))
        else:
            day += 1 + int(r() * 5)
            steps.append(
                self._step(self._office(day), "col-paid-v1", "sms" if p.mobile else "email", p, ctx, **kw)
            )
        self._schedule(steps)

    def _fraud(self, t0: int) -> None:
        """Alert within seconds; then either 'it was me' or a call and a written outcome."""
        r, p = self._r, self._any()
        ref = self._case_id("FRD")
        kw: dict[str, Any] = {"case": {"id": ref, "type": "fraud", "received_at": _ts(t0)}}
        ctx = {
            "ref": ref,
            "amount": self._money(20, 3000),
            "merchant": self._pick(_MERCHANTS),
            "received": _day(t0 // _DAY).long,
        }
        alert = t0 + 5 + int(r() * 90)
        channel = "sms" if p.mobile else "push"
        steps = [self._step(alert, "frd-alert-v4", channel, p, ctx, **kw)]
        kind = "card" if r() < 0.45 else "app" if r() < 0.45 else "genuine"
        if kind == "genuine":
            steps.append(self._step(alert + 60 + int(r() * 1800), "frd-ok-v1", channel, p, ctx, **kw))
        else:
            fraud, story, action, outcome = _FRAUD[kind]
            facts = {"merchant": ctx["merchant"], "amount": ctx["amount"], "acct": p.acct}
            call = {**ctx, "story": story.format(**facts), "card_action": action}
            steps.append(
                self._step(
                    alert + 300 + int(r() * 5000),
                    "frd-call-v2",
                    "phone",
                    p,
                    call,
                    agent=self._agent("Fraud"),
                    status="delivered",
                    **kw,
                )
            )
            done = {**ctx, "fraud": fraud, "outcome": outcome.format(**facts)}
            steps.append(
                self._step(
                    self._office(t0 // _DAY + 1 + int(r() * 5)),
                    "frd-outcome-v2",
                    "email" if r() < 0.6 else "letter",
                    p,
                    done,
                    agent=self._agent("Fraud"),
                    tags=(f"{kind}-fraud",),
                    **kw,
                )
            )
        self._schedule(steps)

    def _dsar(self, t0: int) -> None:
        """Subject access: acknowledgement, then the copy within one month (UK GDPR Art 12)."""
        r, p, d0 = self._r, self._any(), t0 // _DAY
        ref = self._case_id("DSAR")
        kw: dict[str, Any] = {
            "case": {"id": ref, "type": "subject_access", "received_at": _ts(t0)},
            "agent": self._agent("Data Protection Office"),
        }
        ctx = {"ref": ref, "received": _day(d0).long, "deadline": _day(d0 + 30).long}
        channel = "letter" if r() < 0.2 else "email"
        self._schedule(
            [
                self._step(self._office(d0 + 1 + int(r() * 2)), "dsar-ack-v1", channel, p, ctx, **kw),
                self._step(
                    self._office(d0 + 8 + int(r() * 19)),
                    "dsar-resp-v2",
                    channel,
                    p,
                    ctx,
                    tags=("dsar",),
                    **kw,
                ),
            ]
        )

    def _litigation(self, t0: int) -> None:
        """Letter before claim (Pre-Action Protocol for Debt Claims), then what happened."""
        r, p, d0 = self._r, self._any(), t0 // _DAY
        ref = self._case_id("LGL")
        kw: dict[str, Any] = {
            "case": {"id": ref, "type": "litigation", "received_at": _ts(t0)},
            "agent": self._agent("Legal"),
        }
        ctx = {
            "ref": ref,
            "product": self._pick(_CREDIT),
            "amount": self._money(800, 15_000),
            "date2": _day(d0 - 20 - int(r() * 60)).long,
        }
        first = d0 + 1 + int(r() * 4)
        steps = [self._step(self._office(first), "lgl-lba-v1", "letter", p, ctx, **kw)]
        if r() < 0.7:
            outcome = self._pick(
                [
                    "As we have not heard from you, we issued a claim in the County Court "
                    f"Business Centre on {_day(first + 35).long}, claim number "
                    f"K{int(r() * 1e7):07d}. You will receive the claim form from the court.",
                    "Thank you for returning the reply form. We've paused legal action for 30 days "
                    "while you get debt advice.",
                    "Thank you for your payment. The balance is now clear, we've closed the matter "
                    "and we will not take further action.",
                ]
            )
            steps.append(
                self._step(
                    self._office(first + 35 + int(r() * 10)),
                    "lgl-next-v1",
                    "letter" if r() < 0.7 else "email",
                    p,
                    {**ctx, "date2": _day(first).long, "outcome": outcome},
                    **kw,
                )
            )
        self._schedule(steps)

    # batches -------------------------------------------------------------------------------

    def _run(
        self,
        t0: int,
        q: int,
        c: int,
        first_hour: int,
        hours: float,
        build: Callable[[int, _Person], Record],
        size: float = 1.0,
    ) -> int:
        """Queue a batch to subjects of class ``k % q == c`` starting the next working day;
        returns its start day."""
        r = self._r
        q, c, members = self._class(q, c)
        k = max(1, min(members, int(self._batch * size * (0.4 + 1.2 * r()))))
        day = t0 // _DAY + 1 + int(r() * 2)
        if _day(day).weekday >= 5:
            day += 7 - _day(day).weekday
        start = day * _DAY + first_hour * 3600 + int(r() * 3600)
        span = 1800 + hours * 3600 * r()
        gap = span / k
        count = k
        while count and start + int((count - 1) * gap) >= self._end:
            count -= 1 if count < 64 else count // 2
        off, stride = int(r() * members), self._pick(_PRIMES)
        pop = self._pop

        def steps() -> Iterator[_Step]:
            for j in range(count):
                t = start + int(j * gap)
                person = pop.person(c + q * ((off + j * stride) % members), keep=False)
                yield t, partial(build, t, person)

        self._queue(count, steps())
        return day

    def _campaign(self, t0: int) -> None:
        """A marketing campaign: one template, many recipients on one morning."""
        tpl: _Tpl = self._pick(_MARKETING)
        channel = self._choose(_CAMPAIGN_CHANNELS)
        if not tpl.short and channel in ("sms", "push"):
            channel = "email"
        ctx = {
            "rate": self._rate(3.5, 5.2),
            "months": str(self._pick([18, 24, 30])),
            "apr": self._rate(19.9, 29.9),
        }
        day = _day(t0 // _DAY + 1)
        slug = tpl.id.split("-")[1]
        number = self._cases["mkt"] = self._cases.get("mkt", 0) + 1
        campaign = f"mkt-{day.year}{day.month:02d}-{slug}-{number:03d}"

        def build(t: int, p: _Person) -> Record:
            ch = "email" if channel == "sms" and not p.mobile else channel
            return self._rec(t, tpl, ch, p, ctx, campaign=campaign)

        self._run(t0, 1, 0, 9 if channel != "sms" else 11, 3, build)

    def _statements(self, t0: int) -> None:
        """The nightly statement run: e-statements by email or app, paper for some."""
        d = t0 // _DAY + 1
        month = _MONTHS[(_day(d).month - 2) % 12]
        self._run(t0, 1, 0, 1, 3, partial(self._statement, month), 0.8)

    def _statement(self, month: str, t: int, p: _Person) -> Record:
        r = self._r
        opening = r() * 6000
        money_in, money_out = r() * 4000, r() * 4000
        ctx = {
            "month": month,
            "amount": f"£{opening:,.2f}",
            "amount_in": f"£{money_in:,.2f}",
            "amount_out": f"£{money_out:,.2f}",
            "amount2": f"£{opening + money_in - money_out:,.2f}",
            "annex": "",
        }
        paper = p.k % 5 == 0
        if paper or r() < 0.02:
            ctx["annex"] = self._transactions(t // _DAY, 5 + int(r() * (40 if paper else 200)))
        if paper:
            return self._rec(t, _T["stmt-paper-v2"], "letter", p, ctx)
        channel = "email" if r() < 0.6 else "push" if r() < 0.5 else "in_app"
        return self._rec(t, _T["stmt-ready-v4"], channel, p, ctx)

    def _transactions(self, d: int, count: int) -> str:
        r, merchants = self._r, _PADDED_MERCHANTS
        lines = [
            f"{_day(d - 30 + i * 30 // count).iso}  {merchants[int(r() * len(merchants))]}"
            f"{'£' + format(1 + 399 * r() * r(), ',.2f'):>12}"
            for i in range(count)
        ]
        return "\n\nTransactions\n" + "\n".join(lines)

    def _rate_change(self, t0: int) -> None:
        """Rate-change notices: mortgages (Mortgages) or savings (Retail Banking)."""
        r = self._r
        mortgage = r() < 0.5
        old = 3.5 + r() * 3
        new = old + (0.25 if r() < 0.5 else -0.25) * (1 + int(r() * 3))
        ctx = {
            "rate_old": f"{old:.2f}%",
            "rate_new": f"{new:.2f}%",
            "reason": self._pick(
                [
                    "the Bank of England changed Bank Rate.",
                    "our funding costs have changed.",
                    "we review our rates regularly against the market.",
                ]
            ),
        }
        if mortgage:
            ctx.update(
                product="mortgage",
                rights="switch to another of our mortgage products "
                "or repay your mortgage (no early repayment charge applies to our "
                "Standard Variable Rate)",
            )
        else:
            ctx.update(product="savings account", rights="close your account or move your money")

        def build(t: int, p: _Person) -> Record:
            before = 300 + r() * 2500
            impact = (
                f"Your monthly payment will change from £{before:,.2f} to "
                f"£{before * (1 + (new - old) / 20):,.2f} from your next payment."
                if mortgage
                else f"On a balance of {self._money(1000, 50_000)}, this "
                f"means about {self._money(5, 300)} a year less or more interest."
            )
            c = {**ctx, "impact": impact, "date2": _day(t // _DAY + (30 if mortgage else 62)).long}
            return self._rec(
                t,
                _T["rate-chg-v2"],
                "letter" if r() < 0.6 else "email",
                p,
                c,
                dept="Mortgages" if mortgage else "Retail Banking",
            )

        self._run(t0, 3 if mortgage else 1, 1 if mortgage else 0, 5, 3, build, 0.5)

    def _valuations(self, t0: int) -> None:
        d = t0 // _DAY
        quarter_end = _day(d - 5)

        def build(t: int, p: _Person) -> Record:
            holdings = []
            for _ in range(2 + int(self._r() * 5)):
                fund, isin = self._pick(_FUNDS)
                units = 10 + self._r() * 9000
                price = 0.5 + self._r() * 4
                holdings.append(
                    f"- {fund} (ISIN {isin}): {units:,.3f} units at {price:.4f} GBP = £{units * price:,.2f}"
                )
            ctx = {
                "wrapper": self._pick(_WRAPPERS),
                "date2": quarter_end.long,
                "amount": self._money(5_000, 400_000),
                "amount2": self._money(5_000, 400_000),
                "holdings": "\n".join(holdings),
            }
            return self._rec(t, _T["mifid-val-v2"], "email", p, ctx, system="wealth-platform")

        self._run(t0, 7, 3, 6, 2, build, 0.5)

    def _costs(self, t0: int) -> None:
        year = str(_day(t0 // _DAY).year - 1)

        def build(t: int, p: _Person) -> Record:
            r = self._r
            service, product = 50 + r() * 3000, 20 + r() * 1500
            ctx = {
                "year": year,
                "wrapper": self._pick(_WRAPPERS),
                "fee": f"£{service:,.2f}",
                "fee2": f"£{product:,.2f}",
                "amount": f"£{service + product:,.2f}",
                "pct": f"{0.3 + r() * 1.4:.2f}",
                "amount2": self._money(10_000, 500_000),
            }
            return self._rec(
                t,
                _T["mifid-cc-v1"],
                "letter" if r() < 0.5 else "email",
                p,
                ctx,
                system="wealth-platform",
            )

        self._run(t0, 7, 3, 5, 2, build, 0.5)

    def _terms(self, t0: int) -> None:
        changes = self._pick(_CHANGES)
        effective = _day(t0 // _DAY + 65).long
        dept = "Compliance" if self._r() < 0.4 else None

        def build(t: int, p: _Person) -> Record:
            ctx = {"changes": changes, "date2": effective}
            channel = "email" if self._r() < 0.7 else "letter"
            return self._rec(t, _T["reg-tc-v2"], channel, p, ctx, dept=dept)

        self._run(t0, 1, 0, 6, 3, build, 0.8)


# ---------------------------------------------------------------------------------- attachments


def _pdf(title: str, text: str) -> bytes:
    """A small, valid one-page PDF showing ``title`` and the start of ``text``."""
    lines = [title, "", *text.splitlines()[:45]]
    ops = ["BT /F1 9 Tf 50 800 Td 11 TL"]
    for line in lines:
        clean = line[:100].replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({clean.replace('–', '-').replace('’', chr(39))}) '")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _attachment(tpl: _Tpl, title: str, body: str, ctx: dict[str, str]) -> dict[str, str]:
    """A PDF copy of the communication (or, for statements, the transactions as CSV)."""
    if tpl.id == "stmt-ready-v4" and ctx.get("annex"):
        rows = ["date,description,amount"]
        for line in ctx["annex"].splitlines()[3:]:
            rows.append(f"{line[:10]},{line[12:36].strip()},{line[36:].strip().replace(',', '')}")
        data = ("\n".join(rows) + "\n").encode()
        return {
            "filename": "transactions.csv",
            "content_type": "text/csv",
            "content_base64": base64.b64encode(data).decode("ascii"),
        }
    name = ctx["ref"].replace("/", "-")
    return {
        "filename": f"{tpl.id.rsplit('-', 1)[0]}-{name}.pdf",
        "content_type": "application/pdf",
        "content_base64": base64.b64encode(_pdf(title, body)).decode("ascii"),
    }


# ------------------------------------------------------------------------------------ public API


def records(
    n: int,
    *,
    seed: int = 0,
    subjects: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[Record]:
    """Yield ``n`` CONTRACT records with ``sent_at`` ascending between ``start`` and ``end``
    (default: the three years up to 2026-11-01 UTC), written to ``subjects`` people (default
    ``n // 20``, at least 10; see ``subjects()``). Naive datetimes are read as UTC. The same
    arguments always give the same records, in any process.

    Raises ValueError for a negative ``n``, fewer than one subject or ``start >= end``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    size = max(10, n // 20) if subjects is None else subjects
    if size < 1:
        raise ValueError("subjects must be at least 1")
    t_end = _epoch(end or _DEFAULT_END)
    t_start = _epoch(start) if start else t_end - 1096 * _DAY
    if t_start >= t_end:
        raise ValueError("start must be before end")
    return iter(_Register(n, seed, size, t_start, t_end))


_RESPONSES = {
    "complaint": [
        "Customer replied disputing the outcome",
        "Customer accepted the offer",
        "Customer sent further evidence about the complaint",
    ],
    "collections": [
        "Customer agreed a repayment plan",
        "Customer asked for breathing space",
        "Customer said the payment had already been made",
    ],
    "marketing": ["Customer opted out of marketing (STOP)", "Customer asked for more details"],
    "transactional": [
        "Customer replied N: payment not recognised",
        "Customer replied Y: payment confirmed",
    ],
    "": ["Customer replied with a question", "Customer thanked us"],
}
_RESPONSE_ODDS = {
    "complaint": 0.2,
    "collections": 0.25,
    "marketing": 0.01,
    "service": 0.05,
    "legal": 0.15,
}


def events(record: dict[str, Any], *, seed: int = 0) -> list[dict[str, Any]]:
    """The later events of one record (CONTRACT "Later events"), each after its ``sent_at``:
    delivery receipts, reads, bounces, responses, follow-ups done and case closures. Many
    records have none. Deterministic for the record's id and the seed."""
    rng = random.Random(f"{seed}:{record['id']}")
    r = rng.random
    t0 = _parse_ts(record["sent_at"])
    channel, status, purpose = record["channel"], record.get("status", "sent"), record["purpose"]
    template = record.get("template_id", "")
    out: list[tuple[int, dict[str, Any]]] = []
    t = t0

    def add(delay: float, event: dict[str, Any]) -> None:
        nonlocal t
        t += max(1, int(delay))
        out.append((t, event))

    if status == "queued":
        add(30 + r() * 600, {"type": "status", "status": "sent"})
        status = "sent"
    if status == "sent":
        x = r()
        if channel in ("email", "sms", "push", "in_app", "web_push", "chat", "social"):
            if x < 0.03:
                add(
                    5 + r() * 600,
                    {"type": "status", "status": "bounced" if channel == "email" else "failed"},
                )
                status = "bounced"
            elif x < 0.7:
                add(1 + r() * 120, {"type": "status", "status": "delivered"})
                status = "delivered"
        elif channel == "letter" and template in _RECORDED_DELIVERY:
            add(86_400 + r() * 86_400, {"type": "status", "status": "delivered"})
        elif channel == "letter" and x < 0.02:
            add(3 * 86_400 + r() * 9 * 86_400, {"type": "status", "status": "bounced"})
            status = "bounced"
    if status == "delivered" and channel not in ("sms", "letter", "phone") and r() < 0.35:
        add(60 + r() * 3 * 86_400, {"type": "status", "status": "read"})
    odds = 0.7 if template == "frd-alert-v4" else _RESPONSE_ODDS.get(purpose, 0.02)
    if status not in ("bounced", "failed") and channel != "phone" and r() < odds:
        pool = _RESPONSES.get(purpose) or _RESPONSES[""]
        summary = pool[int(r() * len(pool))]
        add(
            600 + r() * 4 * 86_400,
            {
                "type": "response",
                "channel": "phone" if channel == "letter" else channel,
                "summary": summary,
            },
        )
        out.append((t, {"type": "status", "status": "responded"}))
    follow_up = record.get("follow_up")
    if follow_up and r() < 0.85:
        due = _epoch(datetime.fromisoformat(follow_up["due"])) + 17 * 3600
        done = t0 + 3600 + int(r() * max(3600, due - t0 - 3600))
        out.append(
            (
                done,
                {
                    "type": "follow_up_done",
                    "note": f"Done: {follow_up['action'][:1].lower()}{follow_up['action'][1:]}",
                },
            )
        )
    if template in _CLOSING:
        out.append((t0 + 3600 + int(r() * 47 * 3600), {"type": "case_closed"}))
    out.sort(key=lambda item: item[0])
    result = []
    for moment, event in out:
        kind = event.pop("type")
        head = {"type": kind, "status": event.pop("status")} if kind == "status" else {"type": kind}
        result.append({**head, "at": _ts(moment), **event})
    return result


_CSV_COLUMNS = _split(
    "id | sent_at | channel | purpose | recipient.customer_id | recipient.name | "
    "recipient.email | recipient.phone | recipient.address | recipient.handle | "
    "sender.department | sender.agent | sender.system | subject | body | template_id | "
    "campaign_id | case.id | case.type | case.received_at | follow_up.action | follow_up.due | "
    "status | tags"
)


_CSV_PATHS = [column.partition(".")[::2] for column in _CSV_COLUMNS]


def _csv_row(rec: Record) -> list[str]:
    """A record as CSV cells in ``_CSV_COLUMNS`` order; absent fields are empty."""
    row = []
    for head, tail in _CSV_PATHS:
        value = rec.get(head)
        if tail:
            value = value.get(tail) if value else None
        elif head == "tags" and value:
            value = "|".join(value)
        row.append(value or "")
    return row


def write_ndjson(path: Path, n: int, **kwargs: Any) -> int:
    """Write ``records(n, **kwargs)`` as UTF-8 NDJSON; returns the number of lines written."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        write = out.write
        for rec in records(n, **kwargs):
            write(encode(rec) + "\n")
            count += 1
    return count


def write_csv(path: Path, n: int, **kwargs: Any) -> int:
    """Write ``records(n, **kwargs)`` as UTF-8 CSV with a header of dotted field paths (tags
    joined by ``|``, no attachments); returns the number of records written."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(_CSV_COLUMNS)
        for rec in records(n, **kwargs):
            writer.writerow(_csv_row(rec))
            count += 1
    return count
