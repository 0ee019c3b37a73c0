"""The fictitious firm, "Example Bank plc": its helpline, departments, staff and sign-offs, and the
legal footers of its messages."""

from __future__ import annotations

HELPLINE = "0808 157 0192"  # Ofcom drama freephone range, never a subject's number

AGENTS = {  # department -> (first agent number, how many)
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

WELSH_NOTICE = (
    "Mae'r llythyr hwn ar gael yn Gymraeg. Os hoffech inni ysgrifennu atoch yn Gymraeg, "
    "ffoniwch ni ar " + HELPLINE + " – rydym yn croesawu galwadau yn Gymraeg."
)
EMAIL_FOOTER = (
    "Example Bank plc, 1 Example Street, London EC2A 4XX. Authorised by the Prudential "
    "Regulation Authority and regulated by the Financial Conduct Authority and the Prudential "
    "Regulation Authority (Financial Services Register number 999999). Please don't reply to "
    "this email; this mailbox isn't monitored."
)
LETTER_FOOTER = (
    "Example Bank plc. Registered in England and Wales no. 00000000. Registered "
    "office: 1 Example Street, London EC2A 4XX. Calls may be recorded."
)
SHORT_FOOTER = (
    " Example Bank will never ask for your PIN, full password or passcodes. Help: " + HELPLINE + "."
)


_SIGNATURES: dict[tuple[str, int | None], tuple[str, str, str]] = {}


def signature(dept: str, agent: int | None) -> tuple[str, str, str]:
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
